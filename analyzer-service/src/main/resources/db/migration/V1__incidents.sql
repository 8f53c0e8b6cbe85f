-- Incidents of the analyzer (schema analyzer, owned by analyzer-service only).
create table incident (
    incident_id     text primary key,
    cluster         text not null,
    rule            text not null,
    status          text not null check (status in ('open', 'resolved')),
    severity        text not null,
    confidence      double precision not null,
    summary         text not null,
    evidence        text not null,          -- JSON array of {signalId,type,node,fact}
    recommendation  text,                   -- JSON object or null
    opened_at       timestamptz not null,   -- event time
    updated_at      timestamptz not null,   -- event time of the newest change
    resolved_at     timestamptz,
    version         bigint not null default 0
);
-- One open incident per (cluster, rule), even with two analyzer instances or redelivery.
create unique index incident_one_open on incident (cluster, rule) where status = 'open';
create index incident_cluster on incident (cluster, status);

-- Every decision the analyzer made for an incident: the status history, and an outbox, since a
-- decision is sent to Kafka only after this row is committed (published_at set on the broker's ack).
create table incident_decision (
    incident_id   text not null references incident (incident_id),
    seq           int not null,
    status        text not null,
    kind          text not null,            -- OPEN, UPDATED, EVIDENCE, RESOLVED
    event_time    timestamptz not null,
    summary       text not null,
    publish       boolean not null,
    payload       text not null,            -- the CloudEvent as sent
    created_at    timestamptz not null default now(),
    published_at  timestamptz,
    primary key (incident_id, seq)
);
create index incident_decision_unpublished on incident_decision (created_at) where publish and published_at is null;

-- Clusters the analyzer has heard from; written in batches, never per signal.
create table cluster_seen (
    cluster           text primary key,
    last_signal_time  timestamptz not null,
    updated_at        timestamptz not null default now()
);
