package io.fleetdoctor.events;

/** {@code io.fleetdoctor.signal.heartbeat.v1}: lets event time advance in a quiet cluster. */
public record Heartbeat(String component, String node) implements EventData {
    public static final String CLUSTER_WATCHER = "cluster-watcher";
    public static final String NODE_AGENT = "node-agent";
}
