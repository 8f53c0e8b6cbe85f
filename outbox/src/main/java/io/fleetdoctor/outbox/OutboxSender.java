package io.fleetdoctor.outbox;

/**
 * Delivers the outbox messages of one destination. A service provides one CDI bean per
 * destination it emits to; the {@link OutboxRelay} finds them at startup.
 */
public interface OutboxSender {

    /** The {@link OutboxEvent#destination()} this sender handles. */
    String destination();

    /**
     * Hands one message over and waits for the destination's answer: {@code DELIVERED} only once the
     * destination has acknowledged it (Kafka ack, HTTP 2xx). Called outside any transaction; should
     * not throw (an exception counts as a retryable failure).
     */
    DeliveryResult send(OutboxMessage message);

    /** How this destination is relayed; the default is {@code fleetdoctor.outbox.*}. */
    default DeliveryPolicy policy(DeliveryPolicy defaults) {
        return defaults;
    }
}
