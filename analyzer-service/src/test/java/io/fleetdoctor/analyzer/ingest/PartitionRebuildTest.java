package io.fleetdoctor.analyzer.ingest;

import io.fleetdoctor.analyzer.incident.IncidentService;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Remediation;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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
    @Inject
    IncidentService incidents;

    private boolean remediated(String id) {
        return incidents.remediatedOpen().stream().anyMatch(r -> r.incidentId().equals(id));
    }

    private static io.restassured.specification.RequestSpecification viewer() {
        return io.restassured.RestAssured.given().auth().preemptive().basic("viewer", "viewer-demo");
    }

    @Test
    void reassignmentRebuildsTheWindowAndReEmitsNothingStored() {
        String cluster = "rebuild-1";
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS); KafkaConsumer<String, byte[]> group = groupConsumer()) {
            String id = openAndCommit(cluster, decisions, group);
            int history = viewer().get("/api/incidents/" + id).then().extract()
                    .path("history.size()");
            TopicPartition tp = partition(cluster, group);

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

    /**
     * The remediations topic is assigned apart from the signals: a SUCCEEDED consumed while this analyzer does not
     * hold the incident (its partition revoked, as on another instance) is stored, and the analyzer that adopts
     * the incident resolves it, once.
     */
    @Test
    void aRemediationConsumedWithoutTheIncidentResolvesItWhereItIsAdopted() {
        String cluster = "handover-1";
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS); KafkaConsumer<String, byte[]> group = groupConsumer()) {
            String id = openAndCommit(cluster, decisions, group);
            TopicPartition tp = partition(cluster, group);
            rebuild.onPartitionsRevoked(group, List.of(tp));

            Remediation rem = new Remediation("plan-h", id, "SUCCEEDED", "VERIFYING", "system", "verified",
                    Instant.parse("2020-12-22T13:40:00Z"));
            kafka.sendAll(Topics.REMEDIATIONS, cluster, List.of(EventCodec.encodeToString(CloudEvent.of("rem-h",
                    "/remediator", rem.at(), cluster, null, rem))));
            await("the remediation stored").atMost(Duration.ofSeconds(30)).until(() -> remediated(id));
            viewer().get("/api/incidents/" + id).then().body("status", equalTo("open"));

            rebuild.onPartitionsAssigned(group, List.of(tp));
            await("resolved by the analyzer that adopted it").atMost(Duration.ofSeconds(30))
                    .until(() -> decisions.withKey(cluster).size() == 2);
            viewer().get("/api/incidents/" + id).then().body("status", equalTo("resolved"))
                    .body("history[-1].status", equalTo("resolved"));
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(15))
                    .until(() -> decisions.withKey(cluster).size() == 2);
            assertFalse(remediated(id));
        }
    }

    private KafkaConsumer<String, byte[]> groupConsumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class),
                ConsumerConfig.GROUP_ID_CONFIG, "fleetdoctor-analyzer",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }

    private static TopicPartition partition(String cluster, KafkaConsumer<String, byte[]> group) {
        return new TopicPartition(Topics.SIGNALS, PartitionRebuild.partitionOf(cluster, group.partitionsFor(Topics.SIGNALS).size()));
    }

    /** Sends the seed trace as {@code cluster}; waits for its incident, an evidence update and the commit. */
    private String openAndCommit(String cluster, KafkaTestClient.Reader<ConsumerRecord<String, byte[]>> decisions, KafkaConsumer<String, byte[]> group) {
        List<String> trace = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        kafka.sendAll(Topics.SIGNALS, cluster, trace);
        await().atMost(Duration.ofSeconds(60)).until(() -> decisions.withKey(cluster).size() == 1);
        // the later restarts are stored as evidence: the stored state is not the open decision's
        String id = viewer().queryParam("cluster", cluster).get("/api/incidents").then()
                .extract().path("items[0].incidentId");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> viewer()
                .get("/api/incidents/" + id).then().body("history.kind", hasItem("EVIDENCE")));
        TopicPartition tp = partition(cluster, group);
        long end = group.endOffsets(Set.of(tp)).get(tp);
        await("the trace committed").atMost(Duration.ofSeconds(30)).until(() -> {
            OffsetAndMetadata om = group.committed(Set.of(tp)).get(tp);
            return om != null && om.offset() >= end;
        });
        return id;
    }
}
