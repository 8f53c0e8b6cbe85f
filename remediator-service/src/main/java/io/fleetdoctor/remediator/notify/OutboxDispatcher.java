package io.fleetdoctor.remediator.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.net.URI;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the outbox to Slack. Each poll claims due messages (a lease, taken with
 * {@code FOR UPDATE SKIP LOCKED}, so several instances never send the same row at once), sends
 * them one by one outside any transaction, and records the outcome. A failure reschedules the
 * message with exponential backoff, or after Slack's {@code Retry-After} on 429, and pauses the
 * whole dispatcher for that time (one webhook, one rate limit; a down endpoint is not hammered
 * with the rest of the batch). Delivery is at least once: a crash between Slack's 200 and the
 * update sends that message again after its lease expires.
 */
@Startup
@ApplicationScoped
public class OutboxDispatcher {
    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    @Inject
    OutboxRepository outbox;

    @Inject
    NotifyConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    ManagedExecutor executor;

    private SlackSender sender;
    /** For rows with their own target (interaction replies to a response_url): always real HTTP. */
    private WebhookSlackSender targetSender;
    /** One dispatch at a time per instance, whether started by the schedule or by a commit. */
    private final AtomicBoolean running = new AtomicBoolean();
    private Backoff backoff;
    private Counter sent;
    private Counter failedRetry;
    private Counter failedRejected;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestPendingMillis = new AtomicLong();
    /** System.nanoTime() before which nothing is sent (Retry-After or backoff of the last failure). */
    private volatile long pausedUntil = System.nanoTime();

    @PostConstruct
    void init() {
        sender = config.webhookUrl().filter(u -> !u.isBlank())
                .<SlackSender>map(u -> new WebhookSlackSender(u, config.httpTimeout()))
                .orElseGet(LogSlackSender::new);
        targetSender = new WebhookSlackSender(null, config.httpTimeout());
        backoff = new Backoff(config.backoff().initial(), config.backoff().multiplier(), config.backoff().max());
        sent = Counter.builder("fleetdoctor.notify.messages.sent")
                .description("Slack messages delivered").register(registry);
        failedRetry = Counter.builder("fleetdoctor.notify.messages.failed")
                .description("Failed Slack delivery attempts").tag("outcome", "retry").register(registry);
        failedRejected = Counter.builder("fleetdoctor.notify.messages.failed")
                .description("Failed Slack delivery attempts").tag("outcome", "rejected").register(registry);
        registry.gauge("fleetdoctor.notify.messages.pending", pending);
        // alert on this one: a growing age means Slack has not accepted anything for that long
        registry.gauge("fleetdoctor.notify.oldest.pending.seconds", oldestPendingMillis, v -> v.get() / 1000.0);
        LOG.infof("Slack notifications go to %s", sender instanceof WebhookSlackSender
                ? "the configured incoming webhook" : "the log (fleetdoctor.notify.webhook-url is not set)");
    }

    @Scheduled(identity = "notify-dispatcher", every = "${fleetdoctor.notify.poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        runExclusively();
    }

    /**
     * A transition committed: send now instead of waiting for the next poll. Never blocks the
     * caller; when a dispatch is already running, the next poll picks the message up.
     */
    public void wakeUp() {
        if (!running.get()) {
            executor.execute(this::runExclusively);
        }
    }

    private void runExclusively() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            dispatchDue();
            OutboxRepository.Backlog backlog = outbox.backlog();
            pending.set(backlog.pending());
            oldestPendingMillis.set((long) (backlog.oldestAgeSeconds() * 1000));
        } catch (RuntimeException e) {
            // database unavailable or similar: the rows stay, the next poll tries again
            LOG.warnf("notification dispatch failed: %s", e.getMessage());
        } finally {
            running.set(false);
        }
    }

    @Scheduled(identity = "notify-purge", every = "1h", delayed = "1m")
    void purge() {
        try {
            int n = outbox.purgeDelivered(config.retention());
            if (n > 0) {
                LOG.infof("purged %d delivered Slack messages older than %s", n, config.retention());
            }
        } catch (RuntimeException e) {
            LOG.warnf("notification purge failed: %s", e.getMessage());
        }
    }

    /** Sends what is due now; returns how many messages were delivered. */
    int dispatchDue() {
        if (System.nanoTime() - pausedUntil < 0) {
            return 0;
        }
        long claimedAt = System.nanoTime();
        List<OutboxRepository.Claimed> batch = outbox.claimDue(config.batchSize(), config.lease());
        int delivered = 0;
        for (int i = 0; i < batch.size(); i++) {
            OutboxRepository.Claimed m = batch.get(i);
            if (System.nanoTime() - claimedAt + config.httpTimeout().toNanos() >= config.lease().toNanos()) {
                // a slow Slack ate the lease: another instance may claim these now, so don't send them
                for (int j = i; j < batch.size(); j++) {
                    outbox.release(batch.get(j).id(), Duration.ZERO);
                }
                return delivered;
            }
            DeliveryResult r = sendSafely(m);
            switch (r.outcome()) {
                case DELIVERED:
                    outbox.markDelivered(m.id());
                    sent.increment();
                    delivered++;
                    break;
                case REJECTED:
                    outbox.markDead(m.id(), r.error());
                    failedRejected.increment();
                    LOG.errorf("Slack rejected message %d (%s, plan %s), not retrying: %s", m.id(), m.kind(),
                            m.planId(), r.error());
                    break;
                default:
                    Duration delay = delayFor(m, r);
                    outbox.reschedule(m.id(), delay, r.error());
                    failedRetry.increment();
                    LOG.warnf("Slack delivery of message %d (%s, plan %s) failed, attempt %d, retry in %s: %s",
                            m.id(), m.kind(), m.planId(), m.attempts(), delay, r.error());
                    pausedUntil = System.nanoTime() + delay.toNanos();
                    for (int j = i + 1; j < batch.size(); j++) {
                        outbox.release(batch.get(j).id(), delay);
                    }
                    return delivered;
            }
        }
        return delivered;
    }

    private Duration delayFor(OutboxRepository.Claimed m, DeliveryResult r) {
        if (r.retryAfter() != null) {
            return r.retryAfter().compareTo(config.maxRetryAfter()) > 0 ? config.maxRetryAfter() : r.retryAfter();
        }
        return backoff.delayAfter(m.attempts());
    }

    private DeliveryResult sendSafely(OutboxRepository.Claimed m) {
        try {
            return m.targetUrl() == null ? sender.send(m.payload())
                    : targetSender.send(URI.create(m.targetUrl()), m.payload());
        } catch (RuntimeException e) {
            return DeliveryResult.retry(0, null, e.toString());
        }
    }
}
