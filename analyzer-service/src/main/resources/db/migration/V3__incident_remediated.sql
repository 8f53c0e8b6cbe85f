-- A remediation's SUCCEEDED for an open incident, stored by whichever analyzer consumed it: the remediations
-- topic is assigned apart from the signals, so that analyzer may not hold the incident. The one that holds it
-- resolves it on its next sweep (Analysis.resolveRemediated).
alter table incident add column remediated_at timestamptz;
create index incident_remediated_open on incident (cluster) where status = 'open' and remediated_at is not null;
