package io.fleetdoctor.outbox;

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

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

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

    private final Map<String, OutboxLane> lanes = new ConcurrentHashMap<>();
    private volatile boolean started;

    /** Last startup observer: senders may hold Kafka emitters, usable only once messaging is wired. */
    void onStarted(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        DeliveryPolicy defaults = new DeliveryPolicy(config.batchSize(), config.lease(),
                new Backoff(config.backoff().initial(), config.backoff().multiplier(), config.backoff().max()),
                config.maxRetryAfter(), config.sendTimeout(), "fleetdoctor.outbox");
        for (OutboxSender s : senders) {
            OutboxLane lane = new OutboxLane(s, s.policy(defaults), store, registry, () -> started);
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
        OutboxLane lane = lanes.get(destination);
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

    private void trigger(OutboxLane lane) {
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
    private void drain(OutboxLane lane) {
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
                LOG.warnf("outbox delivery to %s failed: %s", lane.destination(), e.getMessage());
            } finally {
                lane.running.set(false);
            }
        }
    }
}
