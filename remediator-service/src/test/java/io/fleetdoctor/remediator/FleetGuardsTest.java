package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.Fixtures;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.fleetdoctor.remediator.RemediationFlowTest.as;
import static io.fleetdoctor.remediator.RemediationFlowTest.plan;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet guards on real Kafka, PostgreSQL and the mock API server. Storm: five clusters open flannel-oom within a
 * minute (the test profile's threshold for flannel-oom is 3) → one storm groups them, an approved plan does not
 * start, the admins' message is in the outbox; an admin resumes and the plan runs. Silence: a silenced cluster's
 * decision makes no plan and no message, another cluster's does, the owner is told before the end, and after the
 * end the cluster's next decision makes a plan.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class FleetGuardsTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;
    @Inject
    FakeRolloutController controller;
    @Inject
    EntityManager em;
    @InjectKafka
    KafkaTestClient kafka;

    void send(CloudEvent<?> event) {
        kafka.sendCloudEvent(Topics.DECISIONS, event.cluster(), EventCodec.encode(event));
    }

    static int plansOfIncident(String incident) {
        return as("viewer").get("/api/incidents/" + incident + "/plans").then().statusCode(200).extract().jsonPath()
                .getInt("total");
    }

    long outboxRows(String aggregateType, String aggregateId, String eventType) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "SELECT count(*) FROM remediator.outbox WHERE destination = 'slack' AND aggregate_type = ?1"
                                + " AND aggregate_id = ?2 AND (?3 = '' OR event_type = ?3)")
                .setParameter(1, aggregateType).setParameter(2, aggregateId).setParameter(3, eventType)
                .getSingleResult()).longValue());
    }

    static JsonPath activeStorm(String rule) {
        List<java.util.Map<String, Object>> storms = as("viewer").get("/api/storms").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.rule == '" + rule + "' && it.active }");
        return storms.isEmpty() ? null : as("viewer").get("/api/storms").then().extract().jsonPath()
                .setRoot("find { it.rule == '" + rule + "' && it.active }");
    }

    @Test
    void fiveClustersOpeningAtOncePauseTheRuleUntilAnAdminResumes() {
        List<String> clusters = new ArrayList<>();
        String ns = unique("ns-storm");
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        for (int i = 0; i < 5; i++) {
            String cluster = unique("storm" + i);
            clusters.add(cluster);
            send(RemediationFlowTest.oomDecision(cluster, ns));
        }
        await().atMost(WAIT).until(() -> clusters.stream().allMatch(c -> plansOfIncident("flannel-oom/" + c) == 1));
        await().atMost(WAIT).until(() -> activeStorm("flannel-oom") != null
                && activeStorm("flannel-oom").getList("clusters").containsAll(clusters));
        JsonPath storm = activeStorm("flannel-oom");
        String stormId = storm.getString("id");
        assertTrue(storm.getList("incidents").containsAll(clusters.stream().map(c -> "flannel-oom/" + c).toList()),
                storm.prettify());
        assertEquals(1, as("viewer").get("/api/storms").then().extract().jsonPath()
                .getList("findAll { it.rule == 'flannel-oom' && it.active }").size(), "one grouped fleet incident");
        assertEquals(1, outboxRows("storm", stormId, "storm_paused"), "the admins are told");

        // approved, but nothing executes while the storm holds
        String plan = as("viewer").get("/api/incidents/flannel-oom/" + clusters.get(0) + "/plans").then().extract()
                .jsonPath().getString("items[0].id");
        RemediationFlowTest.approve(plan, "approver", "{}", 200, "APPROVED");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> plan(plan).getString("plan.state").equals("APPROVED"));

        // only an admin resumes, with a reason, once
        as("approver").contentType(ContentType.JSON).body("{\"reason\":\"x\"}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(403);
        as("admin").contentType(ContentType.JSON).body("{}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(400).contentType(containsString("application/problem+json"));
        as("admin").contentType(ContentType.JSON).body("{\"reason\":\"one bad flannel image, fix checked on storm0\"}")
                .post("/api/storms/" + stormId + "/resume").then().statusCode(200);
        as("admin").contentType(ContentType.JSON).body("{\"reason\":\"again\"}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(409);
        await().atMost(WAIT).until(() -> !plan(plan).getString("plan.state").equals("APPROVED"));
        assertFalse(plan(plan).getString("plan.state").equals(PlanState.PENDING_APPROVAL.name()));
    }

    @Test
    void aSilenceStopsPlansAndMessagesForItsScopeOnlyAndExpiresOnTime() {
        String silenced = unique("quiet");
        String other = unique("loud");
        String ns = unique("ns-silence");
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));

        // bad input is a 4xx problem, never a silence
        as("approver").contentType(ContentType.JSON).body("{\"rule\":\"flannel-iface\",\"clusters\":[\"" + silenced
                        + "\"],\"duration\":\"forever\",\"reason\":\"r\"}").post("/api/silences")
                .then().statusCode(400).contentType(containsString("application/problem+json"));
        as("viewer").contentType(ContentType.JSON).body("{\"rule\":\"flannel-iface\",\"clusters\":[\"" + silenced
                + "\"],\"duration\":\"PT8S\",\"reason\":\"r\"}").post("/api/silences").then().statusCode(403);
        String id = as("approver").contentType(ContentType.JSON).body("{\"rule\":\"flannel-iface\",\"clusters\":[\""
                        + silenced + "\"],\"duration\":\"PT8S\",\"reason\":\"kernel upgrade on " + silenced + "\"}")
                .post("/api/silences").then().statusCode(201).extract().jsonPath().getString("id");

        send(Fixtures.decision(unique("dec"), silenced, ns, "open", List.of("eth0"), 3));
        send(Fixtures.decision(unique("dec"), other, ns, "open", List.of("eth0"), 3));
        await().atMost(WAIT).until(() -> plansOfIncident("flannel-iface/" + other) == 1);
        assertEquals(0, plansOfIncident("flannel-iface/" + silenced), "silenced: no plan");
        assertEquals(0, outboxRows("incident", "flannel-iface/" + silenced, ""), "silenced: no Slack message");
        assertEquals(1, outboxRows("incident", "flannel-iface/" + other, "incident_opened"), "out of scope: told");
        long audited = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM remediator.audit_log WHERE action = 'silenced' AND cluster = ?1")
                .setParameter(1, silenced).getSingleResult()).longValue());
        assertEquals(1, audited, "the silenced decision is recorded");

        // the owner is told before the end (notice-before exceeds the duration in tests), once
        await().atMost(WAIT).until(() -> outboxRows("silence", id, "silence_expiring") == 1);
        // and it ends on time: afterwards the cluster's next decision makes a plan
        await().atMost(Duration.ofSeconds(20)).until(() -> !as("viewer").get("/api/silences").then().extract().jsonPath()
                .getBoolean("find { it.id == '" + id + "' }.active"));
        send(Fixtures.decision(unique("dec"), silenced, ns, "updated", List.of("eth0"), 3));
        await().atMost(WAIT).until(() -> plansOfIncident("flannel-iface/" + silenced) == 1);
        as("approver").contentType(ContentType.JSON).body("{}").post("/api/silences/" + id + "/expire").then()
                .statusCode(409);
    }
}
