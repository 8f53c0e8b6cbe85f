package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.SharedInfra;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.fleetdoctor.remediator.RemediationFlowTest.WAIT;
import static io.fleetdoctor.remediator.RemediationFlowTest.as;
import static io.fleetdoctor.remediator.RemediationFlowTest.awaitState;
import static io.fleetdoctor.remediator.RemediationFlowTest.planOf;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fault test: the real PostgreSQL stopped for 60 s while a decision arrives. Before, the remediator logged
 * the error, acknowledged the record and never made the plan; now it waits, says so on readiness, and makes
 * exactly one plan once the database is back.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class DatabaseOutageTest {
    static final Duration OUTAGE = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;
    @Inject
    FakeRolloutController controller;
    @Inject
    InventoryService inventories;
    @InjectKafka
    KafkaTestClient kafka;

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    @Test
    void aDecisionArrivingDuringAPostgresOutageBecomesExactlyOnePlanAfterIt() {
        String cluster = unique("pg-outage");
        String ns = unique("ns-pg-outage");
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);

        var pg = SharedInfra.get().postgres();
        pg.stopServer();
        Instant stopped = Instant.now();
        try {
            send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
            await("readiness DOWN while the decision waits").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                            .body(containsString("plan store")).body(containsString("database-unavailable-since")));
            Duration left = OUTAGE.minus(Duration.between(stopped, Instant.now()));
            if (!left.isNegative()) {
                await().pollDelay(left).atMost(left.plusSeconds(5)).until(() -> true);
            }
            given().get("/q/health/ready").then().statusCode(503);
        } finally {
            pg.restartServer();
        }
        String id = planOf(cluster);
        awaitState(id, PlanState.PENDING_APPROVAL);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> as("viewer")
                .queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath().getInt("total") == 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        assertEquals(1, as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath()
                .getInt("total"));
    }
}
