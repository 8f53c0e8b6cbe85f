package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.remediator.plan.PlanTransition;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    @Inject
    @Channel("remediations")
    Emitter<byte[]> emitter;
    @Inject
    MeterRegistry registry;

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
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> msg = Message.of(e.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(e.cluster).withHeaders(headers).build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(err -> {
                    done.completeExceptionally(err);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(msg);
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception ex) {
            // stop here: later events of the batch must not overtake this one
            throw new IllegalStateException("event " + e.eventId + " not acknowledged: " + ex.getMessage(), ex);
        }
    }
}
