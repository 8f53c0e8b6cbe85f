package io.fleetdoctor.collector.publish;

import io.fleetdoctor.collector.metrics.TextMetrics;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The lean node agent's {@link SignalSink}: a plain Kafka producer writing what {@link KafkaSignalSink} writes
 * (topic {@value Topics#SIGNALS}, key = cluster id, header {@code content-type: application/cloudevents+json},
 * value {@link EventCodec#encode}) with the same three counters. With {@link #producerConfig}'s
 * {@code max.block.ms=0}, {@code send} never waits: a record the producer cannot take at once (buffer full, topic
 * metadata not known yet) is <em>dropped</em>; one it took but could not deliver within
 * {@code delivery.timeout.ms} has <em>failed</em>. Each kind is logged at most once a minute.
 */
public final class ProducerSignalSink implements SignalSink {
    private static final byte[] CONTENT_TYPE = CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private final Producer<String, byte[]> producer;
    private final Consumer<String> warn;
    private final LongAdder sent;
    private final LongAdder failed;
    private final LongAdder dropped;
    private final AtomicLong lastDropLog = new AtomicLong();
    private final AtomicLong lastFailLog = new AtomicLong();
    /** System.nanoTime() of the last delivery and of the last drop or failure; 0 = none yet. */
    private volatile long lastDelivered;
    private volatile long lastProblem;

    public ProducerSignalSink(Producer<String, byte[]> producer, TextMetrics metrics, Consumer<String> warn) {
        this.producer = producer;
        this.warn = warn;
        this.sent = metrics.counter("fleetdoctor.collector.signals.sent");
        this.failed = metrics.counter("fleetdoctor.collector.signals.failed");
        this.dropped = metrics.counter("fleetdoctor.collector.signals.dropped");
    }

    /**
     * A small producer for a few signals every 10 s. {@code fromEnv} (the KAFKA_* settings: bootstrap servers,
     * SASL, TLS) goes on top, so an operator can still override any of these.
     */
    public static Map<String, Object> producerConfig(String clientId, Map<String, Object> fromEnv) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all"); // as the Quarkus agent: a signal is kept by every in-sync replica
        // the 2-3 signals of one tick travel in one request
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        // one tick's signals are a few KiB; larger records get a buffer of their own
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
        // the whole outage buffer (default 32 MiB, which the heap would have to hold): 256 KiB is ~8 min of
        // signals at 10 s, more than delivery.timeout.ms keeps a record, so a full buffer means a stuck producer
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024);
        // send() never blocks the sampling thread: no room or no topic metadata -> the record is dropped at once
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        // as the Quarkus agent (mp.messaging.outgoing.signals.delivery.timeout.ms): retried 5 min, then failed
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        // small JSON records: no lz4/zstd/snappy classes and native libraries to load
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // no JmxReporter: an MBean per client metric is heap and classes nobody reads here
        p.put(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        // no client telemetry push (KIP-714): its OpenTelemetry/protobuf classes stay unloaded
        p.put(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        p.putAll(fromEnv);
        return p;
    }

    @Override
    public void publish(CloudEvent<?> event) {
        try {
            RecordHeaders headers = new RecordHeaders();
            headers.add("content-type", CONTENT_TYPE);
            Outcome outcome = new Outcome(event.id());
            producer.send(new ProducerRecord<>(Topics.SIGNALS, null, event.cluster(), EventCodec.encode(event), headers),
                    outcome);
            outcome.returned = true;
        } catch (RuntimeException e) {
            // producer closed, or a record it refuses outright: drop this one, keep sampling
            dropped(e);
        }
    }

    /** When the last signal was delivered (System.nanoTime()), 0 if none yet. */
    public long lastDelivered() {
        return lastDelivered;
    }

    /** When the last signal was dropped or failed (System.nanoTime()), 0 if none yet. */
    public long lastProblem() {
        return lastProblem;
    }

    private void dropped(Exception e) {
        dropped.increment();
        lastProblem = System.nanoTime();
        if (shouldLog(lastDropLog)) {
            warn.accept("dropping signals, Kafka is not taking them (more drops are only counted for a minute): " + e);
        }
    }

    /**
     * The producer calls back inside {@code send} (before it returns) when it did not take the record: that is a
     * drop; a later call is the delivery's outcome.
     */
    private final class Outcome implements Callback {
        private final String id;
        volatile boolean returned;

        Outcome(String id) {
            this.id = id;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e == null) {
                sent.increment();
                lastDelivered = System.nanoTime();
            } else if (!returned) {
                dropped(e);
            } else {
                failed.increment();
                lastProblem = System.nanoTime();
                if (shouldLog(lastFailLog)) {
                    warn.accept("signal " + id + " not delivered (more failures are only counted for a minute): " + e);
                }
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
