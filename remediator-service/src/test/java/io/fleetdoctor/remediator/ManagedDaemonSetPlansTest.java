package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.fleetdoctor.remediator.support.ManagedTestPlaybook;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.approve;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.as;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.audit;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.awaitPlans;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.awaitState;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.plan;
import static io.fleetdoctor.remediator.PlanRevisionsAndBoundApprovalsTest.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Managed DaemonSets (the owner comes from the test playbook {@link ManagedTestPlaybook}): the plan proposes the
 * change at its source and is not applied live unless an admin overrides with a reason; k3s gets advice only.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class ManagedDaemonSetPlansTest {
    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @InjectKafka
    KafkaTestClient kafka;

    void send(CloudEvent<?> event) {
        kafka.sendCloudEvent(event.data() instanceof Decision ? Topics.DECISIONS : Topics.SIGNALS, event.cluster(),
                EventCodec.encode(event));
    }

    String setUp(String cluster, String ns, boolean seed) {
        if (seed) {
            controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        } else {
            Fixtures.seedNodes(client);
        }
        for (String n : Fixtures.NODES) {
            send(Fixtures.inventory(cluster, n, "192.168.10." + (11 + Fixtures.NODES.indexOf(n)), true));
        }
        await().atMost(PlanRevisionsAndBoundApprovalsTest.WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
        send(ManagedTestPlaybook.decision(cluster, ns));
        return awaitPlans("flannel-iface/" + cluster, 1);
    }

    String liveSpecHash(String ns) {
        return SpecJson.hash(client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get().getSpec());
    }

    @Test
    void aHelmManagedPlanShowsItsSourceChangeAndEndsSourceChangeProposedWithoutTouchingTheCluster() {
        String cluster = unique("helm");
        String ns = unique("helm-ns");
        String id = setUp(cluster, ns, true);
        String before = liveSpecHash(ns);
        JsonPath p = plan(id);
        assertEquals("helm", p.getString("owner.manager"), p.prettify());
        assertEquals("app.kubernetes.io/managed-by=Helm", p.getString("owner.evidence"));
        assertEquals(ManagedTestPlaybook.HELM_VALUES, p.getString("owner.sourceChange"));
        assertEquals("helm", p.getString("plan.managedBy"));
        assertFalse(p.getBoolean("liveExecutable"));
        assertTrue(p.getString("diff").contains("--iface=eth0"), "the diff still shows what the change is");

        approve(id, "approver", Map.of("planHash", p.getString("planHash"), "comment", "agreed; Helm values PR follows"))
                .statusCode(200).body("state", equalTo("SOURCE_CHANGE_PROPOSED"));
        JsonPath done = plan(id);
        assertTrue(done.getString("history[-1].reason").contains("apply the change at its source"),
                done.getString("history[-1].reason"));
        // the scheduler never starts it: a few polls later nothing changed on the cluster
        await().pollDelay(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(10))
                .until(() -> true);
        assertEquals("SOURCE_CHANGE_PROPOSED", plan(id).getString("plan.state"));
        assertEquals(before, liveSpecHash(ns));
        assertFalse(audit(id).contains("system/system/apply"), audit(id).toString());
    }

    @Test
    void anAdminLiveOverrideWithAReasonLetsAManagedPlanRunAndIsAudited() {
        String cluster = unique("helmlive");
        String ns = unique("helm-live");
        String id = setUp(cluster, ns, true);
        String hash = plan(id).getString("planHash");
        String path = "/api/plans/" + id + "/live-override";

        as("approver").contentType(ContentType.JSON).body(Map.of("reason", "x", "planHash", hash)).post(path).then()
                .statusCode(403).contentType("application/problem+json");
        as("admin").contentType(ContentType.JSON).body(Map.of("planHash", hash)).post(path).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("reason"));
        as("admin").contentType(ContentType.JSON).body(Map.of("reason", "x")).post(path).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("planHash"));
        as("admin").contentType(ContentType.JSON).body(Map.of("reason", "x", "planHash", "f".repeat(64))).post(path)
                .then().statusCode(409).contentType("application/problem+json");
        as("admin").contentType("text/plain").body("{}").post(path).then().statusCode(415)
                .contentType("application/problem+json");

        as("admin").contentType(ContentType.JSON)
                .body(Map.of("reason", "Helm release is frozen during the outage; values PR follows", "planHash", hash))
                .post(path).then().statusCode(200).body("state", equalTo("PENDING_APPROVAL"));
        JsonPath p = plan(id);
        assertEquals("admin", p.getString("liveOverride.by"));
        assertTrue(p.getBoolean("liveExecutable"));
        assertEquals(hash, p.getString("planHash"), "the override does not change what is approved");

        approve(id, "approver", Map.of("planHash", hash)).statusCode(200).body("state", equalTo("APPROVED"));
        awaitState(id, PlanState.SUCCEEDED);
        assertEquals(Fixtures.GOOD, client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertTrue(audit(id).contains("admin/rest/live-override"), audit(id).toString());
    }

    @Test
    void k3sGetsAdviceOnlyAndNothingExecutes() {
        String cluster = unique("k3s");
        String ns = unique("k3s-ns");
        String id = setUp(cluster, ns, false);
        JsonPath p = plan(id);
        assertEquals("k3s", p.getString("owner.manager"), p.prettify());
        assertTrue(p.getBoolean("owner.adviceOnly"));
        assertEquals(ManagedTestPlaybook.K3S_ADVICE, p.getString("owner.sourceChange"));
        assertEquals(0, p.getList("daemonSets").size());
        String hash = p.getString("planHash");

        as("admin").contentType(ContentType.JSON).body(Map.of("reason", "just do it", "planHash", hash))
                .post("/api/plans/" + id + "/live-override").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("k3s"));
        approve(id, "approver", Map.of("planHash", hash)).statusCode(200).body("state", equalTo("SOURCE_CHANGE_PROPOSED"));
        assertFalse(plan(id).getBoolean("liveExecutable"));
    }
}
