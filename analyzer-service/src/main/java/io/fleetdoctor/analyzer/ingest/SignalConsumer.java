package io.fleetdoctor.analyzer.ingest;

import io.fleetdoctor.analyzer.config.AnalyzerConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code fleetdoctor.signals} in batches. Thin: hands every record to the analysis, split over
 * {@code fleetdoctor.analyzer.ingest-threads} by cluster ({@link ClusterShards}); offsets are committed once the
 * batch is handled: every change stored (the analysis waits out a database outage) and every dead letter stored by
 * the broker.
 */
@ApplicationScoped
public class SignalConsumer {
    @Inject
    Analysis analysis;
    @Inject
    DeadLetters deadLetters;

    private final ClusterShards shards;

    @Inject
    public SignalConsumer(AnalyzerConfig config) {
        this.shards = new ClusterShards(config.ingestThreads().orElse(Runtime.getRuntime().availableProcessors()));
    }

    @Incoming("signals")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) {
        shards.run(records, records.count(), analysis::signal);
        deadLetters.awaitSent();
    }

    @Incoming("remediations")
    @Blocking
    public void remediation(ConsumerRecord<String, byte[]> record) {
        analysis.remediation(record);
    }

    @PreDestroy
    void stop() {
        shards.close();
    }
}
