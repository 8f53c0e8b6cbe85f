-- The incidents the analyzer decided, as the remediator received them (one row per incident, the latest
-- decision applied): the fleet page shows them with their plans. A resolve keeps the summary, severity and
-- evidence the incident had; it sets status, resolved_at and resolve_reason (the resolve decision's summary).
CREATE TABLE incident (
    incident_id     VARCHAR(200) PRIMARY KEY,
    cluster         VARCHAR(63)  NOT NULL,
    rule            VARCHAR(100) NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    severity        VARCHAR(16),
    confidence      DOUBLE PRECISION,
    summary         TEXT,
    evidence_json   TEXT         NOT NULL,
    -- the time of the decision that brought the evidence
    evidence_at     TIMESTAMPTZ  NOT NULL,
    opened_at       TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    resolved_at     TIMESTAMPTZ,
    resolve_reason  TEXT,
    decisions       INT          NOT NULL
);
CREATE INDEX incident_cluster_idx ON incident (cluster, opened_at);
