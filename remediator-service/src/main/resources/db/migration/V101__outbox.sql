-- One outbox for everything the remediator sends (remediation events to Kafka, Slack messages), in
-- the shape the fleetdoctor-outbox module reads and writes (the analyzer has the same table). Rows are
-- written in the transaction of the plan transition they describe and relayed after the commit.
CREATE TABLE outbox (
    -- derived from the event's natural key (OutboxEvent.id()): emitting the same event twice inserts once
    id               UUID        PRIMARY KEY,
    -- emission order; a destination receives the events of one aggregate in this order
    seq              BIGINT      GENERATED ALWAYS AS IDENTITY UNIQUE,
    aggregate_type   TEXT        NOT NULL,
    aggregate_id     TEXT        NOT NULL,
    event_type       TEXT        NOT NULL,
    -- picks the sender: a Kafka topic, or 'slack'
    destination      TEXT        NOT NULL,
    -- the Kafka record key (the cluster id)
    message_key      TEXT,
    -- an address overriding the destination's default: a Slack response_url (interaction replies)
    target           TEXT,
    -- JSON as sent; text, not jsonb, so a retry sends the very bytes of the first attempt
    payload          TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- lease of the relay instance that is sending the row; expired leases are claimed again
    claimed_until    TIMESTAMPTZ,
    -- set only once the destination acknowledged the message (Kafka ack, HTTP 2xx)
    delivered_at     TIMESTAMPTZ,
    -- the destination refused the payload itself (Slack: HTTP 400): kept for inspection, never retried
    dead_at          TIMESTAMPTZ,
    last_error       TEXT
);

CREATE INDEX outbox_due ON outbox (destination, next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_aggregate_pending ON outbox (destination, aggregate_type, aggregate_id, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_delivered ON outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;

-- The id OutboxEvent.id() gives an event (a name-based UUID, version 3), so an event emitted again
-- after the move is still recognised.
CREATE FUNCTION outbox_event_id(destination TEXT, event_key TEXT) RETURNS UUID AS $$
    SELECT (substr(h, 1, 12) || '3' || substr(h, 14, 3)
            || to_hex((('x' || substr(h, 17, 1))::bit(4)::int & 3) | 8) || substr(h, 18))::uuid
    FROM (SELECT md5(destination || E'\n' || event_key) AS h) digest
$$ LANGUAGE sql IMMUTABLE;

-- The two former outboxes move in, oldest first, with their delivery state. Event ids are
-- '<plan>:<from>:<to>'; the bytea payload of remediation_outbox was UTF-8 JSON.
INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, destination, message_key, payload, created_at,
                    attempts, delivered_at)
SELECT outbox_event_id('fleetdoctor.remediations', event_id), 'plan', split_part(event_id, ':', 1), 'io.fleetdoctor.remediation.v1',
       'fleetdoctor.remediations', cluster, convert_from(payload, 'UTF8'), created_at,
       CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END, sent_at
FROM remediation_outbox ORDER BY id
ON CONFLICT (id) DO NOTHING;

-- Interaction replies were queued under plan id 'reply:<plan>' so they never wait behind the plan's messages.
INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, destination, message_key, target, payload,
                    created_at, attempts, next_attempt_at, delivered_at, dead_at, last_error)
SELECT outbox_event_id('slack', event_key),
       CASE WHEN plan_id LIKE 'reply:%' THEN 'slack-interaction' ELSE 'plan' END,
       CASE WHEN plan_id LIKE 'reply:%' THEN substr(plan_id, 7) ELSE plan_id END,
       kind, 'slack', NULL, target_url, payload, created_at, attempts, next_attempt_at, delivered_at, dead_at,
       last_error
FROM notify_outbox ORDER BY id;

DROP FUNCTION outbox_event_id(TEXT, TEXT);

-- Nothing reads or writes the old tables any more. They stay until no remediator of the previous
-- version can be running (a rolling update overlaps both); a later migration drops them.
COMMENT ON TABLE remediation_outbox IS 'replaced by outbox (V101); to be dropped';
COMMENT ON TABLE notify_outbox IS 'replaced by outbox (V101); to be dropped';
