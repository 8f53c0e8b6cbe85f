-- The outbox of the analyzer (decisions to fleetdoctor.decisions), in the shape the fleetdoctor-outbox
-- module reads and writes (the remediator has the same table). A decision is written here in the
-- transaction that stores it and relayed after the commit; incident_decision stays the history and
-- points at its outbox row.
create table outbox (
    -- derived from the event's natural key (OutboxEvent.id()): emitting the same event twice inserts once
    id               uuid        primary key,
    -- emission order; a destination receives the events of one aggregate in this order
    seq              bigint      generated always as identity unique,
    aggregate_type   text        not null,
    aggregate_id     text        not null,
    event_type       text        not null,
    -- picks the sender: a Kafka topic
    destination      text        not null,
    -- the Kafka record key (the cluster id)
    message_key      text,
    -- an address overriding the destination's default; unused here
    target           text,
    -- JSON as sent; text, not jsonb, so a retry sends the very bytes of the first attempt
    payload          text        not null,
    created_at       timestamptz not null default now(),
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    -- lease of the relay instance that is sending the row; expired leases are claimed again
    claimed_until    timestamptz,
    -- set only once the broker acknowledged the record; the incident history shows it as published_at,
    -- which is why the analyzer keeps delivered rows (no fleetdoctor.outbox.retention)
    delivered_at     timestamptz,
    dead_at          timestamptz,
    last_error       text
);

create index outbox_due on outbox (destination, next_attempt_at)
    where delivered_at is null and dead_at is null;
create index outbox_aggregate_pending on outbox (destination, aggregate_type, aggregate_id, seq)
    where delivered_at is null and dead_at is null;
create index outbox_delivered on outbox (delivered_at)
    where delivered_at is not null;

-- null when the decision is stored but not published (publish = false)
alter table incident_decision add column outbox_id uuid;

-- The id OutboxEvent.id() gives an event (a name-based UUID, version 3).
create function outbox_event_id(destination text, event_key text) returns uuid as $$
    select (substr(h, 1, 12) || '3' || substr(h, 14, 3)
            || to_hex((('x' || substr(h, 17, 1))::bit(4)::int & 3) | 8) || substr(h, 18))::uuid
    from (select md5(destination || E'\n' || event_key) as h) digest
$$ language sql immutable;

-- Decisions to publish move to the outbox with their state: acknowledged ones as delivered, the
-- others as due now. The natural key is the CloudEvent id.
with moved as (
    update incident_decision d
    set outbox_id = outbox_event_id('fleetdoctor.decisions', d.payload::json ->> 'id')
    where d.publish
    returning d.*
)
insert into outbox (id, aggregate_type, aggregate_id, event_type, destination, message_key, payload, created_at,
                    attempts, delivered_at)
select m.outbox_id, 'incident', m.incident_id, 'io.fleetdoctor.decision.v1', 'fleetdoctor.decisions', i.cluster,
       m.payload, m.created_at, case when m.published_at is null then 0 else 1 end, m.published_at
from moved m join incident i on i.incident_id = m.incident_id
order by m.created_at, m.incident_id, m.seq;

drop function outbox_event_id(text, text);
drop index incident_decision_unpublished;

-- No longer written: the payload and the acknowledgement live in the outbox. Kept (nullable) while an
-- analyzer of the previous version may still run during a rolling update; a later migration drops them.
alter table incident_decision alter column payload drop not null;
comment on column incident_decision.payload is 'replaced by outbox.payload (V2); to be dropped';
comment on column incident_decision.published_at is 'replaced by outbox.delivered_at (V2); to be dropped';
