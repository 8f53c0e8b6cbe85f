package io.fleetdoctor.analyzer.ingest;

import io.fleetdoctor.events.Topics;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rebuild in the service, on the real broker and database: after the seed incident is open (with evidence
 * updates stored), revoking its partition drops the cluster's window; assigning it again adopts the stored
 * incident, replays the partition, and stores and sends nothing new.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class PartitionRebuildTest {
    @InjectKafka
    KafkaTestClient kafka;
    @Inject
    @Identifier(PartitionRebuild.NAME)
    PartitionRebuild rebuild;
    @Inject
    Analysis analysis;

    private static io.restassured.specification.RequestSpecification viewer() {
        return io.restassured.RestAssured.given().auth().preemptive().basic("viewer", "viewer-demo");
    }

    @Test
    void reassignmentRebuildsTheWindowAndReEmitsNothingStored() {
        String cluster = "rebuild-1";
        List<String> trace = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS);
             KafkaConsumer<String, byte[]> group = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class),
                     ConsumerConfig.GROUP_ID_CONFIG, "fleetdoctor-analyzer",
                     ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                     ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            kafka.sendAll(Topics.SIGNALS, cluster, trace);
            await().atMost(Duration.ofSeconds(60)).until(() -> decisions.withKey(cluster).size() == 1);
            // the later restarts are stored as evidence: the stored state is not the open decision's
            String id = viewer().queryParam("cluster", cluster).get("/api/incidents").then()
                    .extract().path("items[0].incidentId");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> viewer()
                    .get("/api/incidents/" + id).then().body("history.kind", hasItem("EVIDENCE")));
            int history = viewer().get("/api/incidents/" + id).then().extract()
                    .path("history.size()");

            TopicPartition tp = new TopicPartition(Topics.SIGNALS,
                    PartitionRebuild.partitionOf(cluster, group.partitionsFor(Topics.SIGNALS).size()));
            long end = group.endOffsets(Set.of(tp)).get(tp);
            await("the trace committed").atMost(Duration.ofSeconds(30)).until(() -> {
                OffsetAndMetadata om = group.committed(Set.of(tp)).get(tp);
                return om != null && om.offset() >= end;
            });

            rebuild.onPartitionsRevoked(group, List.of(tp));
            assertFalse(analysis.liveWatermarks().containsKey(cluster), "revoked: the window is dropped");

            rebuild.onPartitionsAssigned(group, List.of(tp));
            assertTrue(analysis.liveWatermarks().containsKey(cluster), "assigned: the window is rebuilt");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> decisions.withKey(cluster).size() == 1);
            viewer().get("/api/incidents/" + id).then().statusCode(200)
                    .body("status", equalTo("open")).body("history.size()", equalTo(history));
            viewer().queryParam("cluster", cluster).get("/api/incidents").then()
                    .body("total", equalTo(1));
        }
    }
}
