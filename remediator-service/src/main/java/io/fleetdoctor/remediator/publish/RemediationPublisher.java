package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.remediator.plan.PlanTransition;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes every committed plan transition as {@code io.fleetdoctor.remediation.v1} on
 * {@code fleetdoctor.remediations}, keyed by cluster. Only what was committed is emitted.
 */
@ApplicationScoped
public class RemediationPublisher {
    private static final Logger LOG = Logger.getLogger(RemediationPublisher.class);

    @Inject
    @Channel("remediations")
    Emitter<byte[]> emitter;

    void onCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) PlanTransition t) {
        Remediation data = new Remediation(t.planId(), t.incidentId(), t.to().name(),
                t.from() == null ? null : t.from().name(), t.actor(), t.reason(), t.at());
        // the id is stable per transition, so a consumer can deduplicate a re-send
        String id = t.planId() + ":" + (t.from() == null ? "NEW" : t.from().name()) + ":" + t.to().name();
        CloudEvent<Remediation> event = CloudEvent.of(id, "/clusters/" + t.cluster() + "/remediator", t.at(),
                t.cluster(), "plan/" + t.planId(), data);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        Message<byte[]> msg = Message.of(EventCodec.encode(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(t.cluster()).withHeaders(headers).build())
                .withAck(() -> CompletableFuture.completedFuture(null))
                .withNack(e -> {
                    LOG.errorf(e, "remediation event %s not published", id);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(msg);
    }
}
