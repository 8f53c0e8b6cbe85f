package io.fleetdoctor.outbox;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends outbox messages to one Kafka topic through a Reactive Messaging channel: value = the
 * payload, record key = {@link OutboxEvent#key()}, header {@code content-type}. Waits for the
 * broker's acknowledgement ({@code acks} of the channel) before reporting the message delivered.
 * A service subclasses it as a CDI bean that injects the channel's emitter:
 *
 * <pre>
 * &#64;ApplicationScoped
 * public class DecisionSender extends KafkaOutboxSender {
 *     &#64;Inject &#64;Channel("decisions") Emitter&lt;byte[]&gt; emitter;
 *     public DecisionSender() { super(Topics.DECISIONS, CloudEvent.CONTENT_TYPE); }
 *     protected Emitter&lt;byte[]&gt; emitter() { return emitter; }
 * }
 * </pre>
 */
public abstract class KafkaOutboxSender implements OutboxSender {
    private final String topic;
    private final String contentType;

    @Inject
    OutboxConfig config;

    /** @param topic the destination name, also the topic the channel writes to */
    protected KafkaOutboxSender(String topic, String contentType) {
        this.topic = topic;
        this.contentType = contentType;
    }

    protected abstract Emitter<byte[]> emitter();

    @Override
    public String destination() {
        return topic;
    }

    @Override
    public DeliveryResult send(OutboxMessage m) {
        RecordHeaders headers = new RecordHeaders();
        if (contentType != null) {
            headers.add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<byte[]> msg = Message.of(m.payload().getBytes(StandardCharsets.UTF_8))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(m.key()).withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(err -> {
                    acked.completeExceptionally(err);
                    return CompletableFuture.completedFuture(null);
                });
        try {
            emitter().send(msg);
            acked.get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return DeliveryResult.delivered(0);
        } catch (ExecutionException e) {
            return DeliveryResult.retry(0, null, "not acknowledged: " + e.getCause());
        } catch (TimeoutException e) {
            // it may still arrive; the retry then sends a duplicate, which consumers drop by event id
            return DeliveryResult.retry(0, null, "not acknowledged within " + config.sendTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.retry(0, null, "interrupted");
        } catch (RuntimeException e) {
            return DeliveryResult.retry(0, null, e.toString());
        }
    }
}
