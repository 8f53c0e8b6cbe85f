package io.fleetdoctor.remediator.notify;

import java.time.Duration;

/**
 * Outcome of one attempt to hand a message to Slack.
 *
 * @param retryAfter the delay Slack asked for (429 Retry-After), or null
 */
public record DeliveryResult(Outcome outcome, int status, Duration retryAfter, String error) {

    public enum Outcome {
        /** Slack accepted the message. */
        DELIVERED,
        /** Try again later (network error, 5xx, 429, a webhook that is misconfigured for now). */
        RETRY,
        /** Slack rejected the payload itself (400): retrying the same bytes can never succeed. */
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
