package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.playbook.fix.SpecJson;
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
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class RemediationFlowTest {
    static final Duration WAIT = Duration.ofSeconds(60);

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

    /** As the analyzer or a collector publishes: key = cluster, content-type header. */
    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-demo");
    }

    DaemonSet seed(String namespace) {
        return controller.markRolledOut(Fixtures.seedDaemonSet(client, namespace));
    }

    void publishInventories(String cluster, boolean node02HasEth0) {
        publishInventories(kafka, inventories, cluster, node02HasEth0);
    }

    /** The node agents' interface inventories of the fixture's three nodes; waits until the remediator has them. */
    static void publishInventories(KafkaTestClient kafka, InventoryService inventories, String cluster,
                                   boolean node02HasEth0) {
        for (CloudEvent<?> e : List.of(Fixtures.inventory(cluster, "master01", "192.168.10.11", true),
                Fixtures.inventory(cluster, "node01", "192.168.10.12", true),
                Fixtures.inventory(cluster, "node02", "192.168.10.13", node02HasEth0))) {
            kafka.sendCloudEvent(Topics.SIGNALS, e.cluster(), EventCodec.encode(e));
        }
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
    }

    /** The collector's signal that kube-scheduler restarted on master01: fails a flannel-iface verification. */
    static CloudEvent<PodRestart> controlPlaneRestart(String cluster) {
        java.time.Instant now = java.time.Instant.now();
        return CloudEvent.of(unique("sig"), CloudEvent.collectorSource(cluster), now, cluster, null,
                new PodRestart("kube-system", "kube-scheduler-master01", "kube-scheduler", "master01", "kube-scheduler",
                        true, 7, new PodRestart.LastTermination("Error", 255, now.minusSeconds(30), now)));
    }

    /** Waits for the single plan of a cluster and returns its id. */
    static String planOf(String cluster) {
        await().atMost(WAIT).until(() -> as("viewer").queryParam("cluster", cluster).get("/api/plans")
                .then().statusCode(200).extract().jsonPath().getInt("total") == 1);
        return as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath()
                .getString("items[0].id");
    }

    static JsonPath plan(String id) {
        return as("viewer").get("/api/plans/" + id).then().statusCode(200).extract().jsonPath();
    }

    static void awaitState(String id, PlanState state) {
        await().atMost(WAIT).until(() -> plan(id).getString("plan.state"), s -> s.equals(state.name()) || terminalOther(s, state));
        assertEquals(state.name(), plan(id).getString("plan.state"), () -> plan(id).prettify());
    }

    private static boolean terminalOther(String s, PlanState wanted) {
        PlanState st = PlanState.valueOf(s);
        return st != wanted && io.fleetdoctor.remediator.plan.PlanStateMachine.TERMINAL.contains(st);
    }

    /** The approve body with the plan's current hash added, as the page and Slack send it. */
    static String withHash(String id, String body) {
        String hash = plan(id).getString("planHash");
        return body.equals("{}") ? "{\"planHash\":\"" + hash + "\"}" : "{\"planHash\":\"" + hash + "\"," + body.substring(1);
    }

    static void approve(String id, String user, String body, int status, String state) {
        var r = as(user).contentType(ContentType.JSON).body(withHash(id, body)).post("/api/plans/" + id + "/approve").then()
                .statusCode(status);
        if (state != null) {
            r.body("state", equalTo(state));
        }
    }

    Container flanneld(String namespace) {
        DaemonSet ds = client.apps().daemonSets().inNamespace(namespace).withName("kube-flannel-ds").get();
        return ds.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("kube-flannel")).findFirst().orElseThrow();
    }

    @Test
    void decisionBecomesAnApprovedVerifiedFixWithEventsAndAudit() {
        String cluster = unique("demo");
        String ns = "kube-system";
        seed(ns);
        publishInventories(cluster, true);
        try (var events = kafka.fromBeginning(Topics.REMEDIATIONS)) {
            send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 3));
            String id = planOf(cluster);
            JsonPath p = plan(id);
            assertEquals("PENDING_APPROVAL", p.getString("plan.state"));
            assertFalse(p.getBoolean("plan.needsIfaceOverride"), p.prettify());
            String diff = p.getString("diff");
            assertTrue(diff.lines().anyMatch(l -> l.startsWith("+") && l.contains("--iface=eth0")), diff);
            assertTrue(diff.lines().anyMatch(l -> l.startsWith("-") && l.contains(Fixtures.BAD)), diff);
            assertTrue(diff.lines().anyMatch(l -> l.startsWith("+") && l.contains(Fixtures.GOOD)), diff);
            assertEquals(1, p.getList("daemonSets").size());
            assertFalse(p.getString("daemonSets[0].resourceVersion").isEmpty());

            approve(id, "approver", "{\"comment\":\"matches the runbook\"}", 200, "APPROVED");
            awaitState(id, PlanState.SUCCEEDED);

            Container c = flanneld(ns);
            assertEquals(Fixtures.GOOD, c.getImage());
            assertEquals(1, Collections.frequency(c.getArgs(), "--iface=eth0"), c.getArgs().toString());
            assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), c.getArgs());

            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            List<String> states = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                records.clear();
                records.addAll(events.withKey(cluster));
                states.clear();
                for (ConsumerRecord<String, byte[]> r : records) {
                    Remediation rem = EventCodec.decode(r.value()).as(Remediation.class).data();
                    if (rem.planId().equals(id)) {
                        states.add(rem.state());
                    }
                }
                return states.contains("SUCCEEDED");
            });
            assertEquals(List.of("PENDING_APPROVAL", "APPROVED", "EXECUTING", "VERIFYING", "SUCCEEDED"), states);
            ConsumerRecord<String, byte[]> first = records.get(0);
            assertEquals(CloudEvent.CONTENT_TYPE,
                    new String(first.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));

            List<String> actions = QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                    "planId = ?1 order by id", id).stream().map(a -> a.actor + "/" + a.channel + "/" + a.action).toList());
            assertTrue(actions.contains("approver/rest/approve"), actions.toString());
            assertTrue(actions.contains("approver/rest/state:PENDING_APPROVAL->APPROVED"), actions.toString());
            assertTrue(actions.contains("system/system/state:VERIFYING->SUCCEEDED"), actions.toString());
            assertTrue(actions.contains("system/system/apply"), actions.toString());
            // the relay marks a row delivered after the broker's ack, which may land just after a reader saw the record
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(0L, (long) QuarkusTransaction
                    .requiringNew().call(() -> ((Number) em.createNativeQuery(
                    "select count(*) from remediator.outbox where destination = ?1 and aggregate_id = ?2"
                            + " and delivered_at is null").setParameter(1, Topics.REMEDIATIONS).setParameter(2, id)
                    .getSingleResult()).longValue())));
            JsonPath done = plan(id);
            assertEquals(5, done.getList("history").size());
            assertEquals("approver", done.getString("approvalList[0].approver"));
        }
    }

    @Test
    void redeliveryAndUpdatesNeverMakeASecondPlanAndResolvedCancels() {
        String cluster = unique("dup");
        String ns = unique("ns-dup");
        seed(ns);
        publishInventories(cluster, true);
        kafka.sendCloudEvent(Topics.DECISIONS, cluster, "{not json".getBytes(StandardCharsets.UTF_8));
        var open = Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2);
        send(Topics.DECISIONS, open);
        send(Topics.DECISIONS, open);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "updated", List.of("eth0"), 4));
        String id = planOf(cluster);
        await().atMost(WAIT).until(() -> plan(id).getList("evidence").size() == 4);
        assertEquals(1, as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath().getInt("total"));

        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "resolved", List.of("eth0"), 4));
        awaitState(id, PlanState.CANCELLED);
        assertEquals(1, as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath().getInt("total"));
        assertEquals(Fixtures.BAD, flanneld(ns).getImage());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("fleetdoctor_remediator_decisions_rejected_total{reason=\"invalid\"}"));
    }

    @Test
    void theSamePersonApprovingTwiceCountsOnceUnderATwoApprovalPolicy() {
        String cluster = "prod-dup-approver";
        String ns = unique("ns-prod");
        seed(ns);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        assertEquals(2, plan(id).getInt("plan.approvalsRequired"));
        approve(id, "approver", "{}", 200, "PENDING_APPROVAL");
        approve(id, "approver", "{\"comment\":\"again\"}", 200, "PENDING_APPROVAL");
        JsonPath p = plan(id);
        assertEquals("PENDING_APPROVAL", p.getString("plan.state"));
        assertEquals(1, p.getInt("plan.approvals"));
        approve(id, "approver2", "{}", 200, "APPROVED");
        awaitState(id, PlanState.SUCCEEDED);
    }

    @Test
    void aDaemonSetEditedAfterPlanningMakesThePlanStaleAndTheClusterUnchanged() {
        String cluster = unique("stale");
        String ns = unique("ns-stale");
        seed(ns);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        DaemonSet edited = client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").edit(ds -> {
            ds.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().add("--v=2");
            return ds;
        });
        String editedHash = SpecJson.hash(edited.getSpec());
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.STALE);
        DaemonSet live = client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get();
        assertEquals(editedHash, SpecJson.hash(live.getSpec()));
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--v=2"), flanneld(ns).getArgs());
        assertEquals(Fixtures.BAD, flanneld(ns).getImage());
    }

    @Test
    void anInterfaceMissingOnOneNodeBlocksApprovalUntilAValidOverride() {
        String cluster = unique("noeth0");
        String ns = unique("ns-noeth0");
        seed(ns);
        publishInventories(cluster, false);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        JsonPath p = plan(id);
        assertTrue(p.getBoolean("plan.needsIfaceOverride"));
        assertTrue(p.getString("checks.find { it.name == 'iface-on-every-node' }.detail").contains("node02"));

        as("approver").contentType(ContentType.JSON).body(withHash(id, "{}")).post("/api/plans/" + id + "/approve").then()
                .statusCode(409).contentType("application/problem+json").body("detail", containsString("override"));
        as("approver").contentType(ContentType.JSON).body(withHash(id, "{\"iface\":\"eth0\"}")).post("/api/plans/" + id + "/approve")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("node02"));
        as("approver").contentType(ContentType.JSON).body(withHash(id, "{\"iface\":\"eth0;reboot\"}")).post("/api/plans/" + id + "/approve")
                .then().statusCode(400);
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"));

        approve(id, "approver", "{\"iface\":\"eth1\",\"comment\":\"eth1 is the private NIC everywhere\"}", 200, "APPROVED");
        awaitState(id, PlanState.SUCCEEDED);
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth1"), flanneld(ns).getArgs());
        assertEquals("eth1", plan(id).getString("ifaceOverride"));
    }

    @Test
    void aFailedRolloutRestoresTheRecordedSpec() {
        String cluster = unique("rollback");
        String ns = unique("ns-rollback");
        DaemonSet seeded = seed(ns);
        String recordedHash = SpecJson.hash(seeded.getSpec());
        controller.breakRollouts(ns);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.ROLLED_BACK);
        DaemonSet live = client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get();
        assertEquals(recordedHash, SpecJson.hash(live.getSpec()));
        assertEquals(Fixtures.BAD, flanneld(ns).getImage());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr"), flanneld(ns).getArgs());
        List<String> actions = QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                "planId = ?1 order by id", id).stream().map(a -> a.action).toList());
        assertTrue(actions.contains("rollback-started"), actions.toString());
        assertTrue(plan(id).getString("history[-1].reason").contains("rollout not complete"));
    }

    @Test
    void threeApprovedPlansWithALimitOfOneNeverRunTogether() {
        List<String> ids = new ArrayList<>();
        as("admin").contentType(ContentType.JSON).body("{}").post("/api/fleet/pause").then().statusCode(200).body("paused", equalTo(true));
        try {
            for (int i = 0; i < 3; i++) {
                String cluster = unique("fleet" + i);
                String ns = unique("ns-fleet" + i);
                seed(ns);
                publishInventories(cluster, true);
                send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
                String id = planOf(cluster);
                approve(id, "approver", "{}", 200, "APPROVED");
                ids.add(id);
            }
            as("viewer").get("/api/policy").then().statusCode(200).body("paused", equalTo(true)).body("maxExecuting", equalTo(1));
            assertTrue(ids.stream().allMatch(id -> plan(id).getString("plan.state").equals("APPROVED")));
        } finally {
            as("admin").contentType(ContentType.JSON).body("{}").post("/api/fleet/resume").then().statusCode(200).body("paused", equalTo(false));
        }
        for (String id : ids) {
            awaitState(id, PlanState.SUCCEEDED);
        }
        // replay the committed history of the three plans in order: at most one active at any point
        List<PlanHistoryEntity> history = QuarkusTransaction.requiringNew().call(() ->
                PlanHistoryEntity.<PlanHistoryEntity>list("planId in ?1 order by id", ids));
        int active = 0;
        int max = 0;
        for (PlanHistoryEntity h : history) {
            if (h.toState == PlanState.EXECUTING) {
                active++;
            } else if (h.fromState == PlanState.VERIFYING || (h.fromState == PlanState.EXECUTING && h.toState != PlanState.VERIFYING)) {
                active--;
            }
            max = Math.max(max, active);
        }
        assertEquals(1, max, history.stream().map(h -> h.planId + ":" + h.toState).toList().toString());
        long stillActive = QuarkusTransaction.requiringNew().call(() -> PlanEntity.count("state in ?1",
                List.of(PlanState.EXECUTING, PlanState.VERIFYING)));
        assertTrue(stillActive <= 1);
    }

    @Test
    void aControlPlaneRestartDuringVerificationRollsBack() {
        String cluster = unique("verify");
        String ns = unique("ns-verify");
        DaemonSet seeded = seed(ns);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.VERIFYING);
        send(Topics.SIGNALS, controlPlaneRestart(cluster));
        awaitState(id, PlanState.ROLLED_BACK);
        assertTrue(plan(id).getString("history[-1].reason").contains("kube-scheduler"), plan(id).prettify());
        assertEquals(SpecJson.hash(seeded.getSpec()),
                SpecJson.hash(client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get().getSpec()));
    }

    /** The flannel-oom decision its rule gives for OOM-killed flannel pods. */
    static CloudEvent<io.fleetdoctor.events.Decision> oomDecision(String cluster, String ns) {
        io.fleetdoctor.events.Decision d = new io.fleetdoctor.events.Decision("flannel-oom/" + cluster, "flannel-oom",
                "open", "critical", 0.9, cluster + ": flanneld OOM-killed 3 times in 30m on node01", List.of(),
                new io.fleetdoctor.events.Decision.Recommendation("flannel-oom-fix", ns, List.of("kube-flannel-ds"),
                        "kube-flannel", Fixtures.BAD, null, List.of(), null, List.of()));
        return CloudEvent.of(unique("dec"), "/clusters/" + cluster + "/analyzer", java.time.Instant.now(), cluster, null, d);
    }

    /** The second playbook through the same host: its fix doubles the limit, its verification passes. */
    @Test
    void flannelOomPlanDoublesTheMemoryLimitAndVerifies() {
        String cluster = unique("oom");
        String ns = unique("ns-oom");
        seed(ns);
        send(Topics.DECISIONS, oomDecision(cluster, ns));
        String id = planOf(cluster);
        String diff = plan(id).getString("diff");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("+") && l.contains("memory: \"100Mi\"")), diff);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.SUCCEEDED);
        assertEquals("100Mi", flanneld(ns).getResources().getLimits().get("memory").toString());
        assertTrue(plan(id).getString("history[-1].reason").contains("no flannel container OOM-killed"),
                plan(id).prettify());
    }

    @Test
    void aFlannelOomKillDuringVerificationRollsBack() {
        String cluster = unique("oomfail");
        String ns = unique("ns-oomfail");
        DaemonSet seeded = seed(ns);
        send(Topics.DECISIONS, oomDecision(cluster, ns));
        String id = planOf(cluster);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.VERIFYING);
        java.time.Instant now = java.time.Instant.now();
        send(Topics.SIGNALS, CloudEvent.of(unique("sig"), CloudEvent.collectorSource(cluster), now, cluster, null,
                new PodRestart(ns, "kube-flannel-ds-abcde", "kube-flannel", "node01", "kube-flannel-ds", false, 4,
                        new PodRestart.LastTermination("OOMKilled", 137, now.minusSeconds(30), now))));
        awaitState(id, PlanState.ROLLED_BACK);
        assertTrue(plan(id).getString("history[-1].reason").contains("OOM-killed"), plan(id).prettify());
        assertEquals(SpecJson.hash(seeded.getSpec()),
                SpecJson.hash(client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get().getSpec()));
    }

    @Test
    void aPlanWhoseDaemonSetIsMissingIsBlocked() {
        String cluster = unique("missing");
        String ns = unique("ns-missing"); // nothing seeded there
        Fixtures.seedNodes(client);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        assertTrue(plan(id).getString("plan.blockedReason").contains("not found"), plan(id).prettify());
        as("approver").contentType(ContentType.JSON).body(withHash(id, "{\"iface\":\"eth0\"}")).post("/api/plans/" + id + "/approve")
                .then().statusCode(409).contentType("application/problem+json").body("detail", containsString("blocked"));
        as("approver").contentType(ContentType.JSON).body("{\"reason\":\"DaemonSet gone\"}")
                .post("/api/plans/" + id + "/reject").then().statusCode(200).body("state", equalTo("REJECTED"));
        as("approver").contentType(ContentType.JSON).body("{\"reason\":\"again\"}")
                .post("/api/plans/" + id + "/reject").then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void anUnapprovedPlanExpires() {
        String cluster = unique("expire");
        String ns = unique("ns-expire");
        seed(ns);
        publishInventories(cluster, true);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = planOf(cluster);
        // let 24 hours pass for this plan only
        QuarkusTransaction.requiringNew().run(() -> PlanEntity.update("expiresAt = ?1 where id = ?2",
                java.time.Instant.now().minusSeconds(1), id));
        awaitState(id, PlanState.EXPIRED);
        as("approver").contentType(ContentType.JSON).body(withHash(id, "{}")).post("/api/plans/" + id + "/approve").then()
                .statusCode(409).contentType("application/problem+json");
        assertEquals(Fixtures.BAD, flanneld(ns).getImage());
    }
}
