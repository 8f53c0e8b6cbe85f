-- One executor per plan across remediator instances (execution.PlanLease): the instance that holds the
-- lease of an EXECUTING or VERIFYING plan is the only one that works on it; it renews the lease while it
-- does. An expired lease is taken over by another instance, which resumes from the persisted state.
-- Not mapped on PlanEntity: only conditional UPDATEs of PlanLease write these columns.
ALTER TABLE plan ADD COLUMN lease_owner VARCHAR(200);
ALTER TABLE plan ADD COLUMN lease_until TIMESTAMPTZ;
