package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.fleet.FleetStatus;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
 * start, the admins' message is in the outbox; an admin resumes and the plans run. Silence: silenced clusters'
 * decisions make no plan and no message, another cluster's does, the owner is told in each cluster's channel before
 * the end (not earlier than notice-before), and after the end a cluster's next decision makes a plan; a fleet-wide
 * silence covers its rule only and tells the owner in the admins' channel.
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
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String cluster = unique("storm" + i);
            String ns = unique("ns-storm" + i);
            clusters.add(cluster);
            namespaces.add(ns);
            controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
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
        assertEquals(1, outboxRows("storm", stormId, "storm_paused"), "the admins are told, once");
        JsonPath notice = new JsonPath(stormPayload(stormId));
        assertEquals("#fleet-admins", notice.getString("channel"), "in the admins' channel");
        assertTrue(notice.getString("text").startsWith("<@U0ADMIN1> <@U0ADMIN2> "), notice.prettify());
        assertTrue(notice.getString("blocks[1].text.text").startsWith("<@U0ADMIN1> <@U0ADMIN2> flannel-oom opened on"),
                notice.prettify());

        // all five approved, but nothing executes while the storm holds
        List<String> plans = clusters.stream().map(c -> as("viewer").get("/api/incidents/flannel-oom/" + c + "/plans")
                .then().extract().jsonPath().getString("items[0].id")).toList();
        List<String> versions = namespaces.stream().map(this::resourceVersion).toList();
        for (String plan : plans) {
            RemediationFlowTest.approve(plan, "approver", "{}", 200, "APPROVED");
        }
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30))
                .until(() -> plans.stream().allMatch(p -> plan(p).getString("plan.state").equals("APPROVED")));
        assertEquals(versions, namespaces.stream().map(this::resourceVersion).toList(), "no DaemonSet was touched");

        // only an admin resumes, with a reason, once
        as("approver").contentType(ContentType.JSON).body("{\"reason\":\"x\"}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(403);
        as("admin").contentType(ContentType.JSON).body("{}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(400).contentType(containsString("application/problem+json"));
        as("admin").contentType(ContentType.JSON).body("{\"reason\":\"one bad flannel image, fix checked on storm0\"}")
                .post("/api/storms/" + stormId + "/resume").then().statusCode(200);
        as("admin").contentType(ContentType.JSON).body("{\"reason\":\"again\"}").post("/api/storms/" + stormId + "/resume")
                .then().statusCode(409);
        await().atMost(WAIT).until(() -> plans.stream().noneMatch(p -> plan(p).getString("plan.state").equals("APPROVED")));
        for (String plan : plans) {
            assertFalse(plan(plan).getString("plan.state").equals(PlanState.PENDING_APPROVAL.name()));
        }
    }

    String resourceVersion(String ns) {
        return client.apps().daemonSets().inNamespace(ns).withName(Fixtures.fixtureDaemonSet().getMetadata().getName())
                .get().getMetadata().getResourceVersion();
    }

    String stormPayload(String stormId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                        "SELECT payload FROM remediator.outbox WHERE aggregate_type = 'storm' AND aggregate_id = ?1")
                .setParameter(1, stormId).getSingleResult());
    }

    @Test
    void aSilenceStopsPlansAndMessagesForItsScopeOnlyAndExpiresOnTime() {
        String silenced = unique("chan-quiet");
        String silenced2 = unique("chan-quiet");
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
                        + silenced + "\",\"" + silenced2 + "\"],\"duration\":\"PT8S\",\"reason\":\"kernel upgrade\"}")
                .post("/api/silences").then().statusCode(201).extract().jsonPath().getString("id");

        for (String c : List.of(silenced, silenced2, other)) {
            send(Fixtures.decision(unique("dec"), c, ns, "open", List.of("eth0"), 3));
        }
        await().atMost(WAIT).until(() -> plansOfIncident("flannel-iface/" + other) == 1);
        for (String c : List.of(silenced, silenced2)) {
            await().atMost(WAIT).until(() -> audited(c) == 1); // the silenced decision is recorded
            assertEquals(0, plansOfIncident("flannel-iface/" + c), "silenced: no plan");
            assertEquals(0, outboxRows("incident", "flannel-iface/" + c, ""), "silenced: no Slack message");
        }
        assertEquals(1, outboxRows("incident", "flannel-iface/" + other, "incident_opened"), "out of scope: told");

        // the owner is told in each cluster's channel, once, notice-before (3 s in tests) before the end, not earlier
        await().atMost(WAIT).until(() -> outboxRows("silence", id, "silence_expiring") == 2);
        Object[] times = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> (Object[]) em
                .createNativeQuery("SELECT notified_at, ends_at FROM remediator.silence WHERE id = ?1")
                .setParameter(1, id).getSingleResult());
        Instant notified = FleetStatus.instant(times[0]);
        Instant ends = FleetStatus.instant(times[1]);
        assertFalse(notified.isBefore(ends.minusSeconds(3)), "not earlier than notice-before: " + notified + " " + ends);
        assertTrue(notified.isBefore(ends), "before the end: " + notified + " " + ends);
        List<JsonPath> notices = silenceNotices(id);
        assertEquals(Set.of("#" + silenced, "#" + silenced2),
                notices.stream().map(n -> n.getString("channel")).collect(Collectors.toSet()));
        for (JsonPath n : notices) {
            assertTrue(n.getString("text").startsWith("@approver "), n.prettify());
            assertTrue(n.getString("blocks[1].text.text").startsWith("@approver your silence of flannel-iface on "
                    + silenced + ", " + silenced2), n.prettify());
        }
        // and it ends on time: afterwards the cluster's next decision makes a plan
        await().atMost(Duration.ofSeconds(20)).until(() -> !as("viewer").get("/api/silences").then().extract().jsonPath()
                .getBoolean("find { it.id == '" + id + "' }.active"));
        send(Fixtures.decision(unique("dec"), silenced, ns, "updated", List.of("eth0"), 3));
        await().atMost(WAIT).until(() -> plansOfIncident("flannel-iface/" + silenced) == 1);
        as("approver").contentType(ContentType.JSON).body("{}").post("/api/silences/" + id + "/expire").then()
                .statusCode(409);
    }

    @Test
    void aFleetWideSilenceCoversEveryClusterOfItsRuleOnly() {
        String cluster = unique("fleetwide");
        String ns = unique("ns-fleetwide");
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        String id = as("approver").contentType(ContentType.JSON).body("{\"rule\":\"flannel-iface\",\"clusters\":[\"*\"],"
                        + "\"duration\":\"PT8S\",\"reason\":\"fleet-wide flannel upgrade\"}")
                .post("/api/silences").then().statusCode(201).extract().jsonPath().getString("id");
        send(Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 3));
        send(RemediationFlowTest.oomDecision(cluster, ns));
        // same cluster, same partition: the oom plan comes after the silenced decision
        await().atMost(WAIT).until(() -> plansOfIncident("flannel-oom/" + cluster) == 1);
        assertEquals(1, audited(cluster), "the silenced decision is recorded");
        assertEquals(0, plansOfIncident("flannel-iface/" + cluster), "silenced rule: no plan");
        assertEquals(0, outboxRows("incident", "flannel-iface/" + cluster, ""), "silenced rule: no Slack message");
        assertEquals(1, outboxRows("incident", "flannel-oom/" + cluster, "incident_opened"), "another rule: told");

        await().atMost(WAIT).until(() -> outboxRows("silence", id, "silence_expiring") == 1);
        JsonPath n = silenceNotices(id).get(0);
        assertEquals("#fleet-admins", n.getString("channel"), "fleet-wide: the admins' channel");
        assertTrue(n.getString("blocks[1].text.text").startsWith("@approver your silence of flannel-iface on the fleet"),
                n.prettify());
        await().atMost(Duration.ofSeconds(20)).until(() -> !as("viewer").get("/api/silences").then().extract().jsonPath()
                .getBoolean("find { it.id == '" + id + "' }.active"));
    }

    @Test
    void theFleetGaugesAreExposed() {
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        for (String g : List.of("fleetdoctor_collectors_stale{component=\"cluster-watcher\"}",
                "fleetdoctor_collectors_stale{component=\"node-agent\"}",
                "fleetdoctor_collectors_known{component=\"node-agent\"}", "fleetdoctor_plans{state=\"APPROVED\"}")) {
            assertTrue(metrics.contains(g), g + " in /q/metrics");
        }
    }

    long audited(String cluster) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM remediator.audit_log WHERE action = 'silenced' AND cluster = ?1")
                .setParameter(1, cluster).getSingleResult()).longValue());
    }

    @SuppressWarnings("unchecked")
    List<JsonPath> silenceNotices(String id) {
        List<String> payloads = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT payload FROM remediator.outbox WHERE aggregate_type = 'silence' AND aggregate_id = ?1")
                .setParameter(1, id).getResultList());
        return payloads.stream().map(JsonPath::new).toList();
    }
}
