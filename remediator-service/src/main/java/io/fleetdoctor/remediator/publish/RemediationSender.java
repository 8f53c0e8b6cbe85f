package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends one encoded event to {@code fleetdoctor.remediations} and waits for the broker's ack. */
@ApplicationScoped
public class RemediationSender {
    @Inject
    @Channel("remediations")
    Emitter<byte[]> emitter;

    public void send(String cluster, String eventId, byte[] payload) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> msg = Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(cluster).withHeaders(headers).build())
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
            // the caller stops its batch: later events must not overtake this one
            throw new IllegalStateException("event " + eventId + " not acknowledged: " + ex.getMessage(), ex);
        }
    }
}
