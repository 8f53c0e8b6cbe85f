-- The last heartbeat of each collector (cluster watcher) and node agent, for the fleet view and the
-- stale-collector metric. Written in batches (fleet.Heartbeats), never per signal.
CREATE TABLE collector_heartbeat (
    cluster          VARCHAR(63)  NOT NULL,
    component        VARCHAR(32)  NOT NULL,
    -- '' for the cluster watcher
    node             VARCHAR(253) NOT NULL,
    last_event_time  TIMESTAMPTZ  NOT NULL,
    last_received_at TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (cluster, component, node)
);
