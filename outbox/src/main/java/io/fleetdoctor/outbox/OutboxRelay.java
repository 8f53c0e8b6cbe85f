package io.fleetdoctor.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the outbox, one lane per destination (one {@link OutboxSender} each). A round claims due
 * messages (a lease taken with {@code FOR UPDATE SKIP LOCKED}, so several instances never send the
 * same row at once), sends them one by one outside any transaction, and records each outcome: only
 * an acknowledged message is marked delivered. A failure reschedules the message with exponential
 * backoff, or after the delay the destination asked for, and pauses its lane for that time (one
 * endpoint, one rate limit; a down destination is not hammered with the rest of the batch). Lanes
 * run right after a commit that emitted to them and on every poll; a slow destination never holds
 * up another. Delivery is at least once: a crash between the acknowledgement and the update sends
 * that message again after its lease expires.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    OutboxStore store;
    @Inject
    OutboxConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    ManagedExecutor executor;
    @Inject
    @Any
    Instance<OutboxSender> senders;

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean started;

    /** Last startup observer: senders may hold Kafka emitters, usable only once messaging is wired. */
    void onStarted(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        DeliveryPolicy defaults = new DeliveryPolicy(config.batchSize(), config.lease(),
                new Backoff(config.backoff().initial(), config.backoff().multiplier(), config.backoff().max()),
                config.maxRetryAfter(), config.sendTimeout(), "fleetdoctor.outbox");
        for (OutboxSender s : senders) {
            Lane lane = new Lane(s, s.policy(defaults));
            if (lanes.putIfAbsent(s.destination(), lane) != null) {
                throw new IllegalStateException("two outbox senders for destination " + s.destination());
            }
        }
        started = true;
        LOG.infof("outbox %s relays to %s", config.table(), lanes.keySet());
    }

    /** Stops starting rounds and sends; what is claimed but unsent goes back for another instance at once. */
    void onShutdown(@Observes ShutdownEvent event) {
        started = false;
    }

    @Scheduled(identity = "outbox-relay", every = "${fleetdoctor.outbox.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        lanes.values().forEach(this::trigger);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxEmitted e) {
        wakeUp(e.destination());
    }

    /** Sends what is due for {@code destination} now, without waiting for the next poll. Never blocks. */
    public void wakeUp(String destination) {
        Lane lane = lanes.get(destination);
        if (lane != null) {
            trigger(lane);
        }
    }

    @Scheduled(identity = "outbox-purge", every = "1h", delayed = "1m")
    void purge() {
        config.retention().ifPresent(retention -> {
            try {
                int n = store.purgeDelivered(retention);
                if (n > 0) {
                    LOG.infof("purged %d delivered outbox messages older than %s", n, retention);
                }
            } catch (RuntimeException e) {
                LOG.warnf("outbox purge failed: %s", e.getMessage());
            }
        });
    }

    private void trigger(Lane lane) {
        if (!started) {
            return; // the first poll after startup picks up what was emitted before
        }
        lane.wanted.set(true);
        if (!lane.running.get()) {
            try {
                executor.execute(() -> drain(lane));
            } catch (RejectedExecutionException e) {
                // shutting down: the rows stay for the next start
            }
        }
    }

    /** One drain at a time per lane; a trigger that arrives while one runs makes it go round again. */
    private void drain(Lane lane) {
        while (lane.wanted.get() && lane.running.compareAndSet(false, true)) {
            try {
                lane.wanted.set(false);
                // delivering a message can make the next one of its aggregate due: go on while rounds deliver
                while (lane.dispatchDue() > 0) {
                    // next round
                }
                lane.refreshBacklog();
            } catch (RuntimeException e) {
                // database unavailable or similar: the rows stay, the next poll tries again
                LOG.warnf("outbox delivery to %s failed: %s", lane.destination, e.getMessage());
            } finally {
                lane.running.set(false);
            }
        }
    }

    private final class Lane {
        final String destination;
        final OutboxSender sender;
        final DeliveryPolicy policy;
        final AtomicBoolean running = new AtomicBoolean();
        final AtomicBoolean wanted = new AtomicBoolean();
        final Counter sent;
        final Counter failedRetry;
        final Counter failedRejected;
        final AtomicLong pending = new AtomicLong();
        final AtomicLong oldestPendingMillis = new AtomicLong();
        /** System.nanoTime() before which nothing is sent (the delay after the last failure). */
        volatile long pausedUntil = System.nanoTime();

        Lane(OutboxSender sender, DeliveryPolicy policy) {
            this.destination = sender.destination();
            this.sender = sender;
            this.policy = policy;
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
                if (!started
                        || System.nanoTime() - claimedAt + policy.sendTimeout().toNanos() >= policy.lease().toNanos()) {
                    // shutting down, or a slow destination ate the lease (another instance may claim these
                    // now): don't send them
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
}
