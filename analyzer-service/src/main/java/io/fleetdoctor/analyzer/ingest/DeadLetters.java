package io.fleetdoctor.analyzer.ingest;

import io.fleetdoctor.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Sends records that are not valid signals to {@code fleetdoctor.signals.dlq}, unchanged, with the reason.
 * The consumer calls {@link #awaitSent()} before its batch is acknowledged: a bad record's offset is
 * committed only once its dead letter is stored.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    @Inject
    @Channel("signals-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
    Emitter<byte[]> dlq;

    private final Counter count;
    private final java.util.Queue<java.util.concurrent.CompletableFuture<Void>> inFlight =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Inject
    public DeadLetters(MeterRegistry registry) {
        count = Counter.builder("fleetdoctor.signals.dlq").description("Records sent to the dead-letter topic")
                .register(registry);
    }

    public void send(ConsumerRecord<String, byte[]> r, String reason) {
        count.increment();
        logLimited(r, reason);
        RecordHeaders headers = new RecordHeaders();
        r.headers().forEach(headers::add);
        headers.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", r.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();
        inFlight.add(sent);
        dlq.send(Message.of(r.value() == null ? new byte[0] : r.value())
                .withAck(() -> {
                    sent.complete(null);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    sent.completeExceptionally(t);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                })
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(r.key()).withHeaders(headers).build()));
    }

    private static final long LOG_PERIOD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private static final int LOG_PER_PERIOD = 10;
    private long periodStart = System.nanoTime();
    private int loggedInPeriod;
    private int unloggedInPeriod;

    /**
     * One line per dead letter, at most {@value #LOG_PER_PERIOD} per 10 s; past that, one line says how many more
     * went (a flood of bad records must not flood the log: each is in the topic with its reason, and counted).
     */
    private synchronized void logLimited(ConsumerRecord<String, byte[]> r, String reason) {
        long now = System.nanoTime();
        if (now - periodStart > LOG_PERIOD_NANOS) {
            if (unloggedInPeriod > 0) {
                LOG.warnf("... and %d more records dead-lettered in the last %d s (fleetdoctor_signals_dlq_total)",
                        unloggedInPeriod, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(now - periodStart));
            }
            periodStart = now;
            loggedInPeriod = 0;
            unloggedInPeriod = 0;
        }
        if (loggedInPeriod++ < LOG_PER_PERIOD) {
            LOG.warnf("dead-lettered %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), reason);
        } else {
            unloggedInPeriod++;
        }
    }

    /**
     * Waits until every dead letter sent so far is stored by the broker; throws when one failed, so the
     * batch is not acknowledged and comes again.
     */
    public void awaitSent() {
        java.util.concurrent.CompletableFuture<Void> f;
        while ((f = inFlight.poll()) != null) {
            try {
                f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for dead letters", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("a dead letter was not stored; the batch is not acknowledged", e);
            }
        }
    }
}
