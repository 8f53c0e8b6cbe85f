package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.remediator.plan.PlanTransition;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Every plan transition becomes an {@code io.fleetdoctor.remediation.v1} event on
 * {@code fleetdoctor.remediations} (key = cluster). The event is written to an outbox in the
 * transaction of the transition, so only committed transitions are emitted and none is lost when
 * Kafka is down; a relay sends the outbox in id order, one instance at a time (advisory lock).
 */
@ApplicationScoped
public class RemediationPublisher {
    private static final Logger LOG = Logger.getLogger(RemediationPublisher.class);
    /** Advisory lock key of the relay ("fdremout"). */
    private static final long RELAY_LOCK = 0x6664_7265_6d6f_7574L;

    /** Holds the Kafka emitter; looked up only once messaging is wired (see {@link #onStarted}). */
    @Inject
    Instance<RemediationSender> sender;
    @Inject
    MeterRegistry registry;

    private volatile boolean started;

    void onStarted(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        started = true;
    }

    void onTransition(@Observes PlanTransition t) {
        Remediation data = new Remediation(t.planId(), t.incidentId(), t.to().name(),
                t.from() == null ? null : t.from().name(), t.actor(), t.reason(), t.at());
        // stable per transition, so a consumer can deduplicate a re-send
        String id = t.planId() + ":" + (t.from() == null ? "NEW" : t.from().name()) + ":" + t.to().name();
        CloudEvent<Remediation> event = CloudEvent.of(id, "/clusters/" + t.cluster() + "/remediator", t.at(),
                t.cluster(), "plan/" + t.planId(), data);
        RemediationOutboxEntry e = new RemediationOutboxEntry();
        e.cluster = t.cluster();
        e.eventId = id;
        e.payload = EventCodec.encode(event);
        e.createdAt = Instant.now();
        e.persist();
    }

    @Scheduled(every = "${fleetdoctor.remediator.execution.poll:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        if (!started) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew().run(this::relayBatch);
        } catch (RuntimeException e) {
            LOG.warnf("remediation events not relayed yet: %s", e.getMessage());
        }
    }

    private void relayBatch() {
        Boolean mine = (Boolean) RemediationOutboxEntry.getEntityManager()
                .createNativeQuery("SELECT pg_try_advisory_xact_lock(" + RELAY_LOCK + ")").getSingleResult();
        if (!Boolean.TRUE.equals(mine)) {
            return;
        }
        List<RemediationOutboxEntry> batch = RemediationOutboxEntry.<RemediationOutboxEntry>find(
                "sentAt is null order by id").page(0, 100).list();
        for (RemediationOutboxEntry e : batch) {
            send(e);
            e.sentAt = Instant.now();
            registry.counter("fleetdoctor.remediator.remediations.published").increment();
        }
    }

    private void send(RemediationOutboxEntry e) {
        sender.get().send(e.cluster, e.eventId, e.payload);
    }
}
