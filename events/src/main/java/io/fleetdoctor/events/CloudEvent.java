package io.fleetdoctor.events;

import java.time.Instant;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event in structured JSON mode, as carried on every fleetdoctor topic.
 *
 * @param id      unique per event from one source; a redelivered event keeps its id
 * @param source  {@code /clusters/{cluster}/collector} or {@code /clusters/{cluster}/nodes/{node}/agent}
 * @param type    one of {@link EventType}
 * @param time    when the fact was observed; drives every event-time window
 * @param cluster extension attribute: the cluster id, also the Kafka record key
 * @param subject optional object reference, e.g. {@code kube-system/pod/kube-scheduler-master01}
 * @param data    the typed payload
 */
public record CloudEvent<T extends EventData>(
        String id, String source, EventType type, Instant time, String cluster, String subject, T data) {

    public static final String SPEC_VERSION = "1.0";
    /** Value of the Kafka {@code content-type} header for structured events. */
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(data, "data");
        if (type.dataClass() != data.getClass()) {
            throw new IllegalArgumentException("type " + type.id() + " does not carry " + data.getClass().getSimpleName());
        }
    }

    /** An event with a type inferred from its data. */
    public static <T extends EventData> CloudEvent<T> of(String id, String source, Instant time, String cluster,
                                                         String subject, T data) {
        return new CloudEvent<>(id, source, EventType.of(data), time, cluster, subject, data);
    }

    /** Source of a cluster-watcher event. */
    public static String collectorSource(String cluster) {
        return "/clusters/" + cluster + "/collector";
    }

    /** Source of a node-agent event. */
    public static String agentSource(String cluster, String node) {
        return "/clusters/" + cluster + "/nodes/" + node + "/agent";
    }

    @SuppressWarnings("unchecked")
    public <D extends EventData> CloudEvent<D> as(Class<D> dataClass) {
        if (!dataClass.isInstance(data)) {
            throw new ClassCastException(type.id() + " is not " + dataClass.getSimpleName());
        }
        return (CloudEvent<D>) this;
    }
}
