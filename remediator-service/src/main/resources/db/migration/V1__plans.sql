-- Remediation plans, approvals, history, audit, processed events, fleet control, node inventories.

CREATE TABLE plan (
    id                   VARCHAR(36)  PRIMARY KEY,
    incident_id          VARCHAR(200) NOT NULL,
    cluster              VARCHAR(63)  NOT NULL,
    cluster_class        VARCHAR(63)  NOT NULL,
    rule                 VARCHAR(100) NOT NULL,
    state                VARCHAR(32)  NOT NULL,
    version              BIGINT       NOT NULL DEFAULT 0,
    summary              TEXT,
    severity             VARCHAR(16),
    confidence           DOUBLE PRECISION,
    evidence_json        TEXT         NOT NULL,
    recommendation_json  TEXT         NOT NULL,
    changes_json         TEXT         NOT NULL,
    checks_json          TEXT         NOT NULL,
    diff                 TEXT         NOT NULL,
    diff_hash            VARCHAR(64)  NOT NULL,
    iface                VARCHAR(200),
    iface_regex          VARCHAR(200),
    iface_override       VARCHAR(200),
    needs_override       BOOLEAN      NOT NULL,
    blocked_reason       TEXT,
    approvals_required   INT          NOT NULL,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    expires_at           TIMESTAMPTZ  NOT NULL,
    approved_at          TIMESTAMPTZ,
    execution_started_at TIMESTAMPTZ,
    verify_started_at    TIMESTAMPTZ,
    verify_until         TIMESTAMPTZ,
    incident_resolved_at TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    CONSTRAINT plan_incident_unique UNIQUE (incident_id)
);
CREATE INDEX plan_state_idx ON plan (state);
CREATE INDEX plan_cluster_idx ON plan (cluster, state);

CREATE TABLE plan_approval (
    id         BIGSERIAL    PRIMARY KEY,
    plan_id    VARCHAR(36)  NOT NULL REFERENCES plan (id),
    approver   VARCHAR(200) NOT NULL,
    comment    TEXT,
    channel    VARCHAR(16)  NOT NULL,
    diff_hash  VARCHAR(64)  NOT NULL,
    at         TIMESTAMPTZ  NOT NULL,
    -- the same person approving the same diff twice counts once
    CONSTRAINT plan_approval_distinct UNIQUE (plan_id, approver, diff_hash)
);

CREATE TABLE plan_history (
    id         BIGSERIAL    PRIMARY KEY,
    plan_id    VARCHAR(36)  NOT NULL REFERENCES plan (id),
    from_state VARCHAR(32),
    to_state   VARCHAR(32)  NOT NULL,
    actor      VARCHAR(200) NOT NULL,
    channel    VARCHAR(16)  NOT NULL,
    reason     TEXT,
    at         TIMESTAMPTZ  NOT NULL
);
CREATE INDEX plan_history_plan_idx ON plan_history (plan_id, id);

CREATE TABLE audit_log (
    id       BIGSERIAL    PRIMARY KEY,
    at       TIMESTAMPTZ  NOT NULL,
    actor    VARCHAR(200) NOT NULL,
    channel  VARCHAR(16)  NOT NULL,
    action   VARCHAR(64)  NOT NULL,
    plan_id  VARCHAR(36),
    cluster  VARCHAR(63),
    detail   TEXT
);
CREATE INDEX audit_log_plan_idx ON audit_log (plan_id);

-- Append-only: the database refuses to change or remove audit rows.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE processed_event (
    event_id     VARCHAR(300) PRIMARY KEY,
    type         VARCHAR(100) NOT NULL,
    processed_at TIMESTAMPTZ  NOT NULL
);

-- One row; its row lock serialises the scheduler ticks of every instance (max executing plans).
CREATE TABLE fleet_control (
    id        INT          PRIMARY KEY,
    paused    BOOLEAN      NOT NULL,
    paused_by VARCHAR(200),
    paused_at TIMESTAMPTZ,
    version   BIGINT       NOT NULL DEFAULT 0
);
INSERT INTO fleet_control (id, paused) VALUES (1, FALSE);

CREATE TABLE node_inventory (
    cluster         VARCHAR(63)  NOT NULL,
    node            VARCHAR(253) NOT NULL,
    host_ip         VARCHAR(64),
    kernel_version  VARCHAR(200),
    interfaces_json TEXT         NOT NULL,
    observed_at     TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (cluster, node)
);

-- Facts seen by the verification watcher that fail a plan's verification window.
CREATE TABLE verification_finding (
    id      BIGSERIAL    PRIMARY KEY,
    plan_id VARCHAR(36)  NOT NULL REFERENCES plan (id),
    kind    VARCHAR(32)  NOT NULL,
    at      TIMESTAMPTZ  NOT NULL,
    fact    TEXT         NOT NULL
);
CREATE INDEX verification_finding_plan_idx ON verification_finding (plan_id);

-- Remediation events written in the transaction of their transition, relayed to Kafka in id order.
CREATE TABLE remediation_outbox (
    id         BIGSERIAL    PRIMARY KEY,
    cluster    VARCHAR(63)  NOT NULL,
    event_id   VARCHAR(200) NOT NULL,
    payload    BYTEA        NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL,
    sent_at    TIMESTAMPTZ
);
CREATE INDEX remediation_outbox_unsent_idx ON remediation_outbox (id) WHERE sent_at IS NULL;
