package io.fleetdoctor.analyzer.ingest;

import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code fleetdoctor.signals} in batches. Thin: hands every record to the analysis;
 * offsets are committed once the batch is handled: every change stored (the analysis waits out a
 * database outage) and every dead letter stored by the broker.
 */
@ApplicationScoped
public class SignalConsumer {
    @Inject
    Analysis analysis;
    @Inject
    DeadLetters deadLetters;

    @Incoming("signals")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            analysis.signal(r);
        }
        deadLetters.awaitSent();
    }

    @Incoming("remediations")
    @Blocking
    public void remediation(ConsumerRecord<String, byte[]> record) {
        analysis.remediation(record);
    }
}
