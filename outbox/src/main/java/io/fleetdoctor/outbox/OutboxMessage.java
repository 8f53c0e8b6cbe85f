package io.fleetdoctor.outbox;

import java.util.UUID;

/**
 * An outbox row claimed for delivery, as handed to an {@link OutboxSender}.
 *
 * @param attempts delivery attempts so far, this one included
 */
public record OutboxMessage(UUID id, long seq, String destination, String aggregateType, String aggregateId,
                            String eventType, String key, String target, String payload, int attempts) {
}
