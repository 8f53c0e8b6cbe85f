package io.fleetdoctor.analyzer.publish;

import io.fleetdoctor.analyzer.incident.IncidentService;
import io.fleetdoctor.events.CloudEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Sends committed decisions to {@code fleetdoctor.decisions}, keyed by cluster, and marks them
 * published on the broker's ack. What was committed but never acknowledged is sent again by
 * {@link #resend()}; consumers dedupe by the CloudEvent id, which stays the same.
 */
@ApplicationScoped
public class DecisionPublisher {
    private static final Logger LOG = Logger.getLogger(DecisionPublisher.class);

    @Inject
    @Channel("decisions")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
    Emitter<byte[]> decisions;

    @Inject
    IncidentService incidents;

    public void publish(IncidentService.Outgoing o) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<byte[]> m = Message.of(o.payload())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(o.cluster()).withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    acked.completeExceptionally(t);
                    return CompletableFuture.completedFuture(null);
                });
        decisions.send(m);
        acked.whenComplete((ok, err) -> {
            if (err != null) {
                LOG.warnf("decision %s-%d not sent yet, will retry: %s", o.incidentId(), o.seq(), err.getMessage());
            } else {
                // the ack arrives on a Kafka thread: mark on a worker
                CompletableFuture.runAsync(() -> incidents.markPublished(o.incidentId(), o.seq()));
            }
        });
    }

    @Scheduled(every = "${fleetdoctor.analyzer.outbox-retry:15s}", delayed = "15s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resend() {
        for (IncidentService.Outgoing o : incidents.unpublished(30)) {
            publish(o);
        }
    }
}
