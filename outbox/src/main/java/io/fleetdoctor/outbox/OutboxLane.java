package io.fleetdoctor.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** The relay of one destination: claim, send, record the outcome. See {@link OutboxRelay}. */
final class OutboxLane {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final String destination;
    private final OutboxSender sender;
    private final DeliveryPolicy policy;
    private final OutboxStore store;
    private final BooleanSupplier open;
    /** A drain is running (one per lane and instance). */
    final AtomicBoolean running = new AtomicBoolean();
    /** Something asked for a drain since the running one started. */
    final AtomicBoolean wanted = new AtomicBoolean();
    private final Counter sent;
    private final Counter failedRetry;
    private final Counter failedRejected;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestPendingMillis = new AtomicLong();
    /** System.nanoTime() before which nothing is sent (the delay after the last failure). */
    private volatile long pausedUntil = System.nanoTime();

    /** @param open false once the application stops: claimed messages are then handed back unsent */
    OutboxLane(OutboxSender sender, DeliveryPolicy policy, OutboxStore store, MeterRegistry registry,
               BooleanSupplier open) {
        this.destination = sender.destination();
        this.sender = sender;
        this.policy = policy;
        this.store = store;
        this.open = open;
        String p = policy.metricPrefix();
        sent = Counter.builder(p + ".messages.sent").description("Outbox messages delivered")
                .tag("destination", destination).register(registry);
        failedRetry = Counter.builder(p + ".messages.failed").description("Failed delivery attempts")
                .tag("destination", destination).tag("outcome", "retry").register(registry);
        failedRejected = Counter.builder(p + ".messages.failed").description("Failed delivery attempts")
                .tag("destination", destination).tag("outcome", "rejected").register(registry);
        Gauge.builder(p + ".messages.pending", pending, AtomicLong::get)
                .description("Outbox messages neither delivered nor dead")
                .tag("destination", destination).register(registry);
        // alert on this one: a growing age means the destination has not accepted anything for that long
        Gauge.builder(p + ".oldest.pending.seconds", oldestPendingMillis, v -> v.get() / 1000.0)
                .description("Age of the oldest outbox message neither delivered nor dead")
                .tag("destination", destination).register(registry);
    }

    String destination() {
        return destination;
    }

    /** Sends what is due now; returns how many messages were delivered. */
    int dispatchDue() {
        if (System.nanoTime() - pausedUntil < 0) {
            return 0;
        }
        long claimedAt = System.nanoTime();
        List<OutboxMessage> batch = store.claimDue(destination, policy.batchSize(), policy.lease());
        int delivered = 0;
        for (int i = 0; i < batch.size(); i++) {
            OutboxMessage m = batch.get(i);
            if (!open.getAsBoolean()
                    || System.nanoTime() - claimedAt + policy.sendTimeout().toNanos() >= policy.lease().toNanos()) {
                // stopping, or a slow destination ate the lease (another instance may claim these now):
                // don't send them
                for (int j = i; j < batch.size(); j++) {
                    store.release(batch.get(j).id(), Duration.ZERO);
                }
                return delivered;
            }
            DeliveryResult r = sendSafely(m);
            switch (r.outcome()) {
                case DELIVERED:
                    store.markDelivered(m.id());
                    sent.increment();
                    delivered++;
                    break;
                case REJECTED:
                    store.markDead(m.id(), r.error());
                    failedRejected.increment();
                    LOG.errorf("%s rejected outbox message %s (%s of %s %s), not retrying: %s", destination,
                            m.id(), m.eventType(), m.aggregateType(), m.aggregateId(), r.error());
                    break;
                default:
                    Duration delay = delayFor(m, r);
                    store.reschedule(m.id(), delay, r.error());
                    failedRetry.increment();
                    LOG.warnf("delivery of outbox message %s (%s of %s %s) to %s failed, attempt %d, retry in %s: %s",
                            m.id(), m.eventType(), m.aggregateType(), m.aggregateId(), destination, m.attempts(),
                            delay, r.error());
                    pausedUntil = System.nanoTime() + delay.toNanos();
                    for (int j = i + 1; j < batch.size(); j++) {
                        store.release(batch.get(j).id(), delay);
                    }
                    return delivered;
            }
        }
        return delivered;
    }

    private Duration delayFor(OutboxMessage m, DeliveryResult r) {
        if (r.retryAfter() != null) {
            return r.retryAfter().compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : r.retryAfter();
        }
        return policy.backoff().delayAfter(m.attempts());
    }

    private DeliveryResult sendSafely(OutboxMessage m) {
        try {
            DeliveryResult r = sender.send(m);
            return r == null ? DeliveryResult.retry(0, null, "sender returned no result") : r;
        } catch (RuntimeException e) {
            return DeliveryResult.retry(0, null, e.toString());
        }
    }

    void refreshBacklog() {
        OutboxStore.Backlog backlog = store.backlog(destination);
        pending.set(backlog.pending());
        oldestPendingMillis.set((long) (backlog.oldestAgeSeconds() * 1000));
    }
}
