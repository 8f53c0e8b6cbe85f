package io.fleetdoctor.collector.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes signals to {@value Topics#SIGNALS}: structured CloudEvent JSON, key = cluster id, header
 * {@code content-type: application/cloudevents+json}. During a broker outage the Kafka producer
 * retries and the emitter buffers up to {@code mp.messaging.emitter.default-buffer-size} records (10000);
 * beyond that new signals are dropped and counted, so sampling never blocks and never fails.
 */
@ApplicationScoped
public class KafkaSignalSink implements SignalSink {
    private static final Logger LOG = Logger.getLogger(KafkaSignalSink.class);
    private static final byte[] CONTENT_TYPE = CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private final Emitter<byte[]> emitter;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final AtomicLong lastDropLog = new AtomicLong();
    private final AtomicLong lastFailLog = new AtomicLong();

    @Inject
    public KafkaSignalSink(@Channel("signals") @OnOverflow(OnOverflow.Strategy.BUFFER)
                           Emitter<byte[]> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        this.sent = registry.counter("fleetdoctor.collector.signals.sent");
        this.failed = registry.counter("fleetdoctor.collector.signals.failed");
        this.dropped = registry.counter("fleetdoctor.collector.signals.dropped");
    }

    @Override
    public void publish(CloudEvent<?> event) {
        try {
            RecordHeaders headers = new RecordHeaders();
            headers.add("content-type", CONTENT_TYPE);
            OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(event.cluster())
                    .withHeaders(headers)
                    .build();
            Message<byte[]> message = Message.of(EventCodec.encode(event), Metadata.of(meta),
                    () -> {
                        sent.increment();
                        return CompletableFuture.completedFuture(null);
                    },
                    t -> {
                        failed.increment();
                        if (shouldLog(lastFailLog)) {
                            LOG.warnf("signal %s not delivered (more failures are only counted for a minute): %s",
                                    event.id(), t.getMessage());
                        }
                        return CompletableFuture.completedFuture(null);
                    });
            emitter.send(message);
        } catch (RuntimeException e) {
            // buffer full (long outage) or channel not ready: drop this one, keep sampling
            dropped.increment();
            if (shouldLog(lastDropLog)) {
                LOG.warnf("dropping signals, Kafka is not keeping up: %s", e.toString());
            }
        }
    }

    /** At most one log line a minute per kind: an outage must not turn into a log flood. */
    private static boolean shouldLog(AtomicLong last) {
        long now = System.currentTimeMillis();
        long before = last.get();
        return now - before > 60_000 && last.compareAndSet(before, now);
    }
}
