-- Slack notification outbox (notify feature). Rows are inserted in the same transaction as the plan
-- transition they describe and delivered later by the dispatcher, so a Slack outage delays messages,
-- loses none, and never blocks a remediation. Delivered rows are kept for a retention period.
CREATE TABLE notify_outbox (
    id               BIGSERIAL PRIMARY KEY,
    -- natural key of the transition: plan id, from>to and time; redelivered events insert nothing
    event_key        TEXT        NOT NULL UNIQUE,
    plan_id          TEXT        NOT NULL,
    cluster          TEXT,
    kind             TEXT        NOT NULL,
    payload          TEXT        NOT NULL,
    -- where to POST: NULL = the configured incoming webhook; else a Slack response_url (interaction replies)
    target_url       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- lease of the dispatcher instance that is sending the row; expired leases are claimed again
    claimed_until    TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    -- Slack refused the payload itself (HTTP 400): kept for inspection, never retried
    dead_at          TIMESTAMPTZ,
    last_error       TEXT
);

CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX notify_outbox_plan_pending ON notify_outbox (plan_id, id)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX notify_outbox_delivered ON notify_outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;
