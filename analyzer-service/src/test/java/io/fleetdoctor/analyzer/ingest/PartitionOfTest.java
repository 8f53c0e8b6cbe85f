package io.fleetdoctor.analyzer.ingest;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rebuild maps clusters to partitions as the collector's producer does (default partitioner, key = cluster id). */
class PartitionOfTest {
    @Test
    void sameAsTheProducersDefaultPartitioner() {
        for (String cluster : List.of("demo-1", "prod-eu-1", "broker-outage-1", "a", "x".repeat(200))) {
            for (int partitions : List.of(1, 3, 6, 50)) {
                assertEquals(BuiltInPartitioner.partitionForKey(cluster.getBytes(StandardCharsets.UTF_8), partitions),
                        PartitionRebuild.partitionOf(cluster, partitions), cluster + " on " + partitions);
            }
        }
    }
}
