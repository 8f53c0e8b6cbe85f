-- Storm guard: every `open` decision, to count the clusters one rule opens on within the window, and the storms
-- (one grouped fleet incident per rule while execution of that rule is paused; resumed by an admin).
CREATE TABLE storm_open (
    rule        VARCHAR(100) NOT NULL,
    cluster     VARCHAR(63)  NOT NULL,
    incident_id VARCHAR(200) NOT NULL,
    at          TIMESTAMPTZ  NOT NULL
);
CREATE INDEX storm_open_rule_at ON storm_open (rule, at);

CREATE TABLE storm (
    id          VARCHAR(36)  PRIMARY KEY,
    rule        VARCHAR(100) NOT NULL,
    started_at  TIMESTAMPTZ  NOT NULL,
    window_from TIMESTAMPTZ  NOT NULL,
    resumed_by  VARCHAR(200),
    resumed_at  TIMESTAMPTZ,
    reason      TEXT
);
-- at most one active storm per rule
CREATE UNIQUE INDEX storm_one_active ON storm (rule) WHERE resumed_at IS NULL;

-- Silences: a rule ('*' = every rule) on some clusters or the fleet ('*'), for a time, with a reason.
CREATE TABLE silence (
    id          VARCHAR(36)  PRIMARY KEY,
    rule        VARCHAR(100) NOT NULL,
    clusters    TEXT         NOT NULL,   -- JSON array of cluster ids, or ["*"] for the fleet
    reason      TEXT         NOT NULL,
    created_by  VARCHAR(200) NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    ends_at     TIMESTAMPTZ  NOT NULL,
    expired_by  VARCHAR(200),
    expired_at  TIMESTAMPTZ,
    notified_at TIMESTAMPTZ
);
CREATE INDEX silence_ends ON silence (ends_at);
