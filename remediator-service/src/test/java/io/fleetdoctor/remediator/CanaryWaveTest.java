package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanHistoryEntity;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
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
import java.util.List;

import static io.fleetdoctor.remediator.RemediationFlowTest.WAIT;
import static io.fleetdoctor.remediator.RemediationFlowTest.as;
import static io.fleetdoctor.remediator.RemediationFlowTest.awaitState;
import static io.fleetdoctor.remediator.RemediationFlowTest.plan;
import static io.fleetdoctor.remediator.RemediationFlowTest.planOf;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Canary waves on real Kafka, PostgreSQL and the mock API server. The clusters share the mock API server, so each
 * has its own namespace (a wave's fix is compared without the namespace, see FixFingerprint). Canary fails its
 * verification → the wave halts and the other clusters' DaemonSets are never written. Canary verified → the next
 * waves are released one after the other, a prod member needing its two approvers. Bad requests → 4xx problems and
 * no wave.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class CanaryWaveTest {
    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @Inject
    EntityManager em;
    @InjectKafka
    KafkaTestClient kafka;

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    /** A cluster with the fixture's flannel DaemonSet in {@code ns} and a PENDING_APPROVAL plan binding {@code iface}. */
    String pendingPlan(String cluster, String ns, String iface) {
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        RemediationFlowTest.publishInventories(kafka, inventories, cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of(iface), 2));
        String id = planOf(cluster);
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"), () -> plan(id).prettify());
        return id;
    }

    DaemonSet flannel(String ns) {
        return client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get();
    }

    static JsonPath wave(String id) {
        return as("viewer").get("/api/waves/" + id).then().statusCode(200).extract().jsonPath();
    }

    static String createWave(String body) {
        return as("approver").contentType(ContentType.JSON).body(body).post("/api/waves").then().statusCode(201)
                .extract().jsonPath().getString("id");
    }

    static JsonPath approveWave(String id, String user) {
        String hash = wave(id).getString("waveHash");
        return as(user).contentType(ContentType.JSON).body("{\"waveHash\":\"" + hash + "\",\"comment\":\"fleet rollout\"}")
                .post("/api/waves/" + id + "/approve").then().statusCode(200).extract().jsonPath();
    }

    List<String> actions(String planId) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list("planId = ?1 order by id", planId)
                .stream().map(a -> a.actor + "/" + a.action).toList());
    }

    List<PlanState> states(String planId) {
        return QuarkusTransaction.requiringNew().call(() -> PlanHistoryEntity.<PlanHistoryEntity>list(
                "planId = ?1 order by id", planId).stream().map(h -> h.toState).toList());
    }

    @Test
    void theCanarysFailedVerificationHaltsTheWaveAndTheOtherClustersAreNeverWritten() {
        List<String> clusters = List.of(unique("canary"), unique("second"), unique("third"));
        List<String> nss = clusters.stream().map(c -> unique("ns-" + c.substring(0, c.indexOf('-')))).toList();
        List<String> plans = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            plans.add(pendingPlan(clusters.get(i), nss.get(i), "eth0"));
        }
        // what the mock API server holds for the two followers before the wave: any write changes resourceVersion
        List<String> versions = nss.subList(1, 3).stream().map(ns -> flannel(ns).getMetadata().getResourceVersion()).toList();
        List<String> specs = nss.subList(1, 3).stream().map(ns -> SpecJson.hash(flannel(ns).getSpec())).toList();

        String waveId = createWave("{\"plans\":[\"" + String.join("\",\"", plans) + "\"],\"waveSize\":2}");
        JsonPath w = wave(waveId);
        assertEquals("RUNNING", w.getString("state"));
        assertEquals(plans.get(0), w.getString("canaryPlanId"));
        assertEquals(List.of(0, 1, 1), w.getList("members.wave"));
        assertTrue(w.getString("fix").contains("--iface=eth0") && w.getString("fix").contains(Fixtures.GOOD), w.getString("fix"));

        JsonPath approved = approveWave(waveId, "approver");
        assertEquals(List.of("APPROVED", "APPROVED", "APPROVED"), approved.getList("approvals.state"), approved.prettify());
        for (String p : plans) {
            // one approval per plan, through the plan's own gate, audited on the plan
            assertTrue(actions(p).contains("approver/approve"), actions(p).toString());
            assertEquals("approver", plan(p).getString("approvalList[0].approver"));
        }

        awaitState(plans.get(0), PlanState.VERIFYING);
        send(Topics.SIGNALS, RemediationFlowTest.controlPlaneRestart(clusters.get(0)));
        awaitState(plans.get(0), PlanState.ROLLED_BACK);
        await().atMost(WAIT).until(() -> wave(waveId).getString("state").equals("HALTED"));

        // followers: approved, never released, never started, even though the fleet has free slots now
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() ->
                plans.subList(1, 3).stream().allMatch(p -> plan(p).getString("plan.state").equals("APPROVED")));
        w = wave(waveId);
        assertTrue(w.getString("haltedReason").contains(clusters.get(0)) && w.getString("haltedReason").contains("ROLLED_BACK"),
                w.prettify());
        assertEquals(List.of(true, false, false), w.getList("members.released"));
        for (int i = 1; i < 3; i++) {
            String p = plans.get(i);
            assertTrue(w.getString("members[" + i + "].heldReason").contains("wave halted"), w.prettify());
            assertEquals(List.of(PlanState.PENDING_APPROVAL, PlanState.APPROVED), states(p));
            assertFalse(actions(p).stream().anyMatch(a -> a.endsWith("/apply") || a.contains("EXECUTING")), actions(p).toString());
            assertTrue(actions(p).contains("system/wave-held"), actions(p).toString());
            DaemonSet ds = flannel(nss.get(i));
            assertEquals(versions.get(i - 1), ds.getMetadata().getResourceVersion(), "no write reached " + clusters.get(i));
            assertEquals(specs.get(i - 1), SpecJson.hash(ds.getSpec()));
            assertEquals(Fixtures.BAD, ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        }
        assertTrue(actions(plans.get(0)).contains("system/wave-halted"), actions(plans.get(0)).toString());
        long told = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "SELECT count(*) FROM remediator.outbox WHERE destination = 'slack' AND aggregate_type = 'wave'"
                                + " AND aggregate_id = ?1 AND event_type = 'wave_halted'")
                .setParameter(1, waveId).getSingleResult()).longValue());
        assertEquals(1, told, "the canary cluster's channel is told, once");

        // a halted wave takes no more approvals
        as("approver").contentType(ContentType.JSON).body("{\"waveHash\":\"" + w.getString("waveHash") + "\"}")
                .post("/api/waves/" + waveId + "/approve").then().statusCode(409)
                .contentType(containsString("application/problem+json")).body("detail", containsString("HALTED"));
    }

    @Test
    void aVerifiedCanaryReleasesTheNextWavesOneAfterTheOtherUnderEachClustersPolicy() {
        String canary = unique("canary");
        String prod = "prod-wave-member";
        String last = unique("last");
        String pCanary = pendingPlan(canary, unique("ns-canary"), "eth0");
        String pProd = pendingPlan(prod, unique("ns-prod"), "eth0");
        String pLast = pendingPlan(last, unique("ns-last"), "eth0");
        assertEquals(2, plan(pProd).getInt("plan.approvalsRequired"));

        // the canary named by cluster, listed last; one plan per wave after it
        String waveId = createWave("{\"plans\":[\"" + pProd + "\",\"" + pLast + "\",\"" + pCanary + "\"],"
                + "\"canaryCluster\":\"" + canary + "\",\"waveSize\":1}");
        JsonPath w = wave(waveId);
        assertEquals(List.of(pCanary, pProd, pLast), w.getList("members.planId"));
        assertEquals(List.of(0, 1, 2), w.getList("members.wave"));

        JsonPath first = approveWave(waveId, "approver");
        assertEquals(List.of("APPROVED", "PENDING_APPROVAL", "APPROVED"), first.getList("approvals.state"), first.prettify());
        awaitState(pCanary, PlanState.SUCCEEDED);
        // prod needs its second approver: the wave waits for it (released, not started)
        await().atMost(WAIT).until(() -> wave(waveId).getBoolean("members[1].released"));
        assertEquals("PENDING_APPROVAL", plan(pProd).getString("plan.state"));
        assertFalse(wave(waveId).getBoolean("members[2].released"));
        // the same person approving the wave again does not count twice
        assertEquals(List.of("PENDING_APPROVAL"), approveWave(waveId, "approver").getList("approvals.state"));
        assertEquals(List.of("APPROVED"), approveWave(waveId, "approver2").getList("approvals.state"));

        awaitState(pProd, PlanState.SUCCEEDED);
        awaitState(pLast, PlanState.SUCCEEDED);
        await().atMost(WAIT).until(() -> wave(waveId).getString("state").equals("COMPLETED"));
        assertNull(wave(waveId).getString("haltedReason"));

        // each started only after the one before it was verified
        List<PlanEntity> done = QuarkusTransaction.requiringNew().call(() -> List.of(PlanEntity.<PlanEntity>findById(pCanary),
                PlanEntity.<PlanEntity>findById(pProd), PlanEntity.<PlanEntity>findById(pLast)));
        for (int i = 1; i < 3; i++) {
            Instant previousDone = done.get(i - 1).finishedAt;
            assertNotNull(done.get(i).executionStartedAt);
            assertTrue(done.get(i).executionStartedAt.isAfter(previousDone),
                    done.get(i).cluster + " started " + done.get(i).executionStartedAt + ", before " + previousDone);
        }
        assertTrue(actions(pProd).contains("approver2/approve"), actions(pProd).toString());
        assertTrue(actions(pLast).contains("system/wave-released"), actions(pLast).toString());
    }

    @Test
    void badWaveRequestsAreProblemsAndChangeNothing() {
        String a = pendingPlan(unique("val-a"), unique("ns-val-a"), "eth0");
        String b = pendingPlan(unique("val-b"), unique("ns-val-b"), "eth0");
        String other = pendingPlan(unique("val-eth1"), unique("ns-val-eth1"), "eth1");
        int before = as("viewer").get("/api/waves").then().statusCode(200).extract().jsonPath().getList("$").size();
        String ab = "\"plans\":[\"" + a + "\",\"" + b + "\"]";

        as("approver").contentType(ContentType.TEXT).body("{" + ab + "}").post("/api/waves").then().statusCode(415)
                .contentType(containsString("application/problem+json"));
        as("viewer").contentType(ContentType.JSON).body("{" + ab + "}").post("/api/waves").then().statusCode(403);
        for (String body : List.of("{", "[]", "{}", "{\"plans\":\"" + a + "\"}", "{\"plans\":[\"" + a + "\"]}",
                "{\"plans\":[\"" + a + "\",\"" + a + "\"]}", "{\"plans\":[\"" + a + "\",\"no-such-plan\"]}",
                "{\"plans\":[\"" + a + "\",42]}", "{" + ab + ",\"waveSize\":0}", "{" + ab + ",\"waveSize\":\"two\"}",
                "{" + ab + ",\"waveSize\":99999999999}", "{" + ab + ",\"canaryCluster\":\"elsewhere\"}")) {
            as("approver").contentType(ContentType.JSON).body(body).post("/api/waves").then().statusCode(400)
                    .contentType(containsString("application/problem+json"));
        }
        // another fix (eth1 instead of eth0): refused with both fixes shown
        as("approver").contentType(ContentType.JSON).body("{\"plans\":[\"" + a + "\",\"" + other + "\"]}")
                .post("/api/waves").then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("detail", containsString("another change")).body("detail", containsString("--iface=eth1"));
        assertEquals(before, as("viewer").get("/api/waves").then().extract().jsonPath().getList("$").size(), "no wave made");
        long members = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM remediator.wave_member WHERE plan_id IN (?1, ?2, ?3)").setParameter(1, a)
                .setParameter(2, b).setParameter(3, other).getSingleResult()).longValue());
        assertEquals(0, members);

        // a plan is in one wave only
        String waveId = createWave("{" + ab + "}");
        assertEquals(5, wave(waveId).getInt("waveSize"), "wave.default-size");
        as("approver").contentType(ContentType.JSON).body("{\"plans\":[\"" + b + "\",\"" + a + "\"]}").post("/api/waves")
                .then().statusCode(409).body("detail", containsString("already in a wave"));

        // approvals: hash required and current, approver role, known wave
        as("approver").contentType(ContentType.JSON).body("{}").post("/api/waves/" + waveId + "/approve").then()
                .statusCode(400).contentType(containsString("application/problem+json"));
        as("approver").contentType(ContentType.JSON).body("{\"waveHash\":\"deadbeef\"}").post("/api/waves/" + waveId + "/approve")
                .then().statusCode(409).body("detail", containsString("changed since you reviewed it"));
        as("approver").contentType(ContentType.JSON).body("{\"waveHash\":7}").post("/api/waves/" + waveId + "/approve")
                .then().statusCode(400);
        String hash = wave(waveId).getString("waveHash");
        as("viewer").contentType(ContentType.JSON).body("{\"waveHash\":\"" + hash + "\"}").post("/api/waves/" + waveId + "/approve")
                .then().statusCode(403);
        as("approver").contentType(ContentType.JSON).body("{\"waveHash\":\"" + hash + "\"}").post("/api/waves/nope/approve")
                .then().statusCode(404).contentType(containsString("application/problem+json"));
        as("viewer").get("/api/waves/nope").then().statusCode(404).contentType(containsString("application/problem+json"));
        for (String p : List.of(a, b)) {
            assertEquals("PENDING_APPROVAL", plan(p).getString("plan.state"));
            assertEquals(0, plan(p).getInt("plan.approvals"));
        }
        // a plan no longer awaiting approval cannot join a wave
        RemediationFlowTest.approve(other, "approver", "{}", 200, "APPROVED");
        String c = pendingPlan(unique("val-c"), unique("ns-val-c"), "eth1");
        as("approver").contentType(ContentType.JSON).body("{\"plans\":[\"" + c + "\",\"" + other + "\"]}").post("/api/waves")
                .then().statusCode(409).body("detail", containsString("not PENDING_APPROVAL"));
        as("viewer").get("/api/waves").then().statusCode(200).body("find { it.id == '" + waveId + "' }.state", equalTo("RUNNING"));
    }
}
