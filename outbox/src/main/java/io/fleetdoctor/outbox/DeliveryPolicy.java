package io.fleetdoctor.outbox;

import java.time.Duration;

/**
 * How the relay treats one destination.
 *
 * @param batchSize     messages claimed per round
 * @param lease         how long a claimed message stays reserved for the instance sending it
 * @param backoff       delay before the next attempt after a retryable failure
 * @param maxRetryAfter cap on a delay the destination asks for itself
 * @param sendTimeout   the longest one {@link OutboxSender#send} may take; no message is sent when
 *                      less than this is left of its lease
 * @param metricPrefix  e.g. {@code fleetdoctor.outbox}: {@code <prefix>.messages.sent} and so on, tagged
 *                      with the destination
 */
public record DeliveryPolicy(int batchSize, Duration lease, Backoff backoff, Duration maxRetryAfter,
                             Duration sendTimeout, String metricPrefix) {

    public DeliveryPolicy {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        if (sendTimeout.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("the lease (" + lease + ") must be longer than the send timeout ("
                    + sendTimeout + "), or nothing is ever sent");
        }
    }
}
