package io.fleetdoctor.outbox;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to write to the outbox with {@link Outbox#emit}: one row in the Debezium outbox shape
 * (id, aggregate type, aggregate id, event type, payload) plus where it goes.
 *
 * @param eventKey      natural key of the event, unique per destination (e.g. the CloudEvent id); the
 *                      row id is derived from it, so emitting the same event twice stores it once
 * @param destination   picks the {@link OutboxSender}: a Kafka topic name, or e.g. {@code slack}
 * @param aggregateType with {@code aggregateId}: the thing the event is about; a destination receives
 *                      the events of one aggregate in the order they were emitted
 * @param eventType     e.g. the CloudEvent type, or the kind of a Slack message
 * @param key           the Kafka record key, or null
 * @param target        an address overriding the destination's default (a Slack response_url), or null
 * @param payload       JSON, sent exactly as given
 */
public record OutboxEvent(String eventKey, String destination, String aggregateType, String aggregateId,
                          String eventType, String key, String target, String payload) {

    public OutboxEvent {
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(payload, "payload");
    }

    public static OutboxEvent of(String destination, String aggregateType, String aggregateId, String eventType,
                                 String eventKey, String payload) {
        return new OutboxEvent(eventKey, destination, aggregateType, aggregateId, eventType, null, null, payload);
    }

    public OutboxEvent withKey(String recordKey) {
        return new OutboxEvent(eventKey, destination, aggregateType, aggregateId, eventType, recordKey, target, payload);
    }

    public OutboxEvent withTarget(String address) {
        return new OutboxEvent(eventKey, destination, aggregateType, aggregateId, eventType, key, address, payload);
    }

    /** The row id: the same event (destination and natural key) always gets the same id. */
    public UUID id() {
        return UUID.nameUUIDFromBytes((destination + '\n' + eventKey).getBytes(StandardCharsets.UTF_8));
    }
}
