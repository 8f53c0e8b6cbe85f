-- Canary waves (wave.WaveService, wave.WaveAdvancer): one fix on several clusters, the canary plan first, then
-- waves of wave_size plans, each released only when every plan released before it SUCCEEDED. A plan of a wave runs
-- only once released (released_at set); PlanScheduler never starts a held one, even when APPROVED.
CREATE TABLE wave (
    id            VARCHAR(36)  PRIMARY KEY,
    rule          VARCHAR(100) NOT NULL,
    fix           TEXT         NOT NULL,   -- what every member changes (FixFingerprint), the same for all
    wave_size     INT          NOT NULL,
    state         VARCHAR(20)  NOT NULL,   -- RUNNING, COMPLETED, HALTED
    created_by    VARCHAR(200) NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL,
    finished_at   TIMESTAMPTZ,
    halted_reason TEXT,
    version       BIGINT       NOT NULL DEFAULT 0
);
CREATE INDEX wave_state ON wave (state);

-- a plan belongs to at most one wave; wave_no 0 is the canary
CREATE TABLE wave_member (
    plan_id     VARCHAR(36)  PRIMARY KEY REFERENCES plan (id),
    wave_id     VARCHAR(36)  NOT NULL REFERENCES wave (id),
    cluster     VARCHAR(63)  NOT NULL,
    position    INT          NOT NULL,
    wave_no     INT          NOT NULL,
    released_at TIMESTAMPTZ,
    held_reason TEXT,
    UNIQUE (wave_id, position),
    UNIQUE (wave_id, cluster)
);
CREATE INDEX wave_member_held ON wave_member (plan_id) WHERE released_at IS NULL;
