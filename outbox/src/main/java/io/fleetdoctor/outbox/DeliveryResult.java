package io.fleetdoctor.outbox;

import java.time.Duration;

/**
 * Outcome of one attempt to hand an outbox message to its destination.
 *
 * @param status     the destination's status code where it has one (HTTP), else 0
 * @param retryAfter the delay the destination asked for (HTTP 429 Retry-After), or null
 */
public record DeliveryResult(Outcome outcome, int status, Duration retryAfter, String error) {

    public enum Outcome {
        /** The destination acknowledged the message (Kafka ack, HTTP 2xx). */
        DELIVERED,
        /** Try again later (broker or network down, 5xx, 429, a webhook that is misconfigured for now). */
        RETRY,
        /** The destination refused the payload itself: retrying the same bytes can never succeed. */
        REJECTED
    }

    public static DeliveryResult delivered(int status) {
        return new DeliveryResult(Outcome.DELIVERED, status, null, null);
    }

    public static DeliveryResult retry(int status, Duration retryAfter, String error) {
        return new DeliveryResult(Outcome.RETRY, status, retryAfter, error);
    }

    public static DeliveryResult rejected(int status, String error) {
        return new DeliveryResult(Outcome.REJECTED, status, null, error);
    }
}
