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
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.notify.SlackMessages;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.slack.SlackSignature;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plan per incident revision, approvals bound to the plan hash (REST and Slack), Slack replays. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class PlanRevisionsAndBoundApprovalsTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String SLACK_SECRET = "test-signing-secret-real-gate-5d1c";

    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @InjectKafka
    KafkaTestClient kafka;

    /** Decisions to the decisions topic, inventories to the signals topic; key = cluster. */
    void send(CloudEvent<?> event) {
        kafka.sendCloudEvent(event.data() instanceof Decision ? Topics.DECISIONS : Topics.SIGNALS, event.cluster(),
                EventCodec.encode(event));
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-demo");
    }

    void setUp(String cluster, String ns) {
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        publishInventories(cluster);
    }

    void publishInventories(String cluster) {
        send(Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
    }

    static JsonPath plans(String incident) {
        return as("viewer").get("/api/incidents/" + incident + "/plans").then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the incident has {@code count} plans; returns the newest plan's id. */
    static String awaitPlans(String incident, int count) {
        await().atMost(WAIT).until(() -> plans(incident).getInt("total") == count);
        return plans(incident).getString("items[0].id");
    }

    static JsonPath plan(String id) {
        return as("viewer").get("/api/plans/" + id).then().statusCode(200).extract().jsonPath();
    }

    static void awaitState(String id, PlanState state) {
        await().atMost(WAIT).until(() -> plan(id).getString("plan.state"),
                s -> s.equals(state.name()) || PlanState.valueOf(s).compareTo(PlanState.SUCCEEDED) >= 0);
        assertEquals(state.name(), plan(id).getString("plan.state"), () -> plan(id).prettify());
    }

    static ValidatableResponse approve(String id, String user, Map<String, String> body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/api/plans/" + id + "/approve").then();
    }

    static List<String> audit(String planId) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list("planId = ?1 order by id", planId)
                .stream().map(a -> a.actor + "/" + a.channel + "/" + a.action).toList());
    }

    @Test
    void afterRejectedAnUpdatedDecisionProducesANewApprovablePlan() {
        String cluster = unique("rev");
        String ns = unique("ns-rev");
        setUp(cluster, ns);
        String incident = "flannel-iface/" + cluster;
        send(Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String first = awaitPlans(incident, 1);
        String firstHash = plan(first).getString("planHash");
        assertEquals(1, plan(first).getInt("revision"));
        as("approver").contentType(ContentType.JSON).body(Map.of("reason", "wrong maintenance slot"))
                .post("/api/plans/" + first + "/reject").then().statusCode(200).body("state", equalTo("REJECTED"));

        send(Fixtures.decision(unique("dec"), cluster, ns, "updated", List.of("eth0"), 3));
        String second = awaitPlans(incident, 2);
        assertNotEquals(first, second);
        JsonPath p = plan(second);
        assertEquals("PENDING_APPROVAL", p.getString("plan.state"));
        assertEquals(2, p.getInt("revision"));
        assertEquals(first, p.getString("supersedes"));
        assertEquals(List.of(first, second), p.getList("incidentPlans.id"));
        assertEquals(List.of("REJECTED", "PENDING_APPROVAL"), p.getList("incidentPlans.state"));
        assertEquals("REJECTED", plan(first).getString("plan.state"), "history keeps the old plan");
        // the same cluster and diff: the hash binds the changes, not the plan id
        assertEquals(firstHash, p.getString("planHash"));

        // a further updated decision refreshes the live plan, it does not make a third
        send(Fixtures.decision(unique("dec"), cluster, ns, "updated", List.of("eth0"), 4));
        await().atMost(WAIT).until(() -> plan(second).getList("evidence").size() == 4);
        assertEquals(2, plans(incident).getInt("total"));

        approve(second, "approver", Map.of("planHash", p.getString("planHash"), "comment", "second revision"))
                .statusCode(200).body("state", equalTo("APPROVED"));
        awaitState(second, PlanState.SUCCEEDED);
        assertEquals(Fixtures.GOOD, client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void aBlockedBuildIsReplacedByTheNextUpdatedDecision() {
        String cluster = unique("blk");
        String ns = unique("ns-blk"); // the DaemonSet appears only later
        Fixtures.seedNodes(client);
        publishInventories(cluster);
        String incident = "flannel-iface/" + cluster;
        send(Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String blocked = awaitPlans(incident, 1);
        assertTrue(plan(blocked).getString("plan.blockedReason").contains("not found"), plan(blocked).prettify());

        // the same blocked build again: no churn
        send(Fixtures.decision(unique("dec"), cluster, ns, "updated", List.of("eth0"), 3));
        await().atMost(WAIT).until(() -> plan(blocked).getList("evidence").size() == 3);
        assertEquals(1, plans(incident).getInt("total"));

        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(Fixtures.decision(unique("dec"), cluster, ns, "updated", List.of("eth0"), 3));
        String fresh = awaitPlans(incident, 2);
        assertEquals("SUPERSEDED", plan(blocked).getString("plan.state"));
        JsonPath p = plan(fresh);
        assertNull(p.getString("plan.blockedReason"), p.prettify());
        assertEquals("PENDING_APPROVAL", p.getString("plan.state"));
        assertEquals(blocked, p.getString("supersedes"));
    }

    @Test
    void anAdminRebuildsWithAReasonAndIsAudited() {
        String cluster = unique("rb");
        String ns = unique("ns-rb");
        setUp(cluster, ns);
        String incident = "flannel-iface/" + cluster;
        send(Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String first = awaitPlans(incident, 1);
        String path = "/api/incidents/" + incident + "/rebuild";

        as("approver").contentType(ContentType.JSON).body(Map.of("reason", "x")).post(path).then().statusCode(403)
                .contentType("application/problem+json");
        as("admin").contentType(ContentType.JSON).body("{}").post(path).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("reason"));
        as("admin").contentType("text/plain").body("{\"reason\":\"x\"}").post(path).then().statusCode(415)
                .contentType("application/problem+json");
        as("admin").contentType(ContentType.JSON).body(Map.of("reason", "x"))
                .post("/api/incidents/flannel-iface/no-such-cluster/rebuild").then().statusCode(404)
                .contentType("application/problem+json");

        String second = as("admin").contentType(ContentType.JSON).body(Map.of("reason", "node02 was replaced"))
                .post(path).then().statusCode(201).body("revision", equalTo(2)).body("supersedes", equalTo(first))
                .extract().path("id");
        assertEquals("SUPERSEDED", plan(first).getString("plan.state"));
        assertEquals("PENDING_APPROVAL", plan(second).getString("plan.state"));
        assertTrue(audit(first).contains("admin/rest/rebuild"), audit(first).toString());
        assertTrue(audit(first).contains("admin/rest/state:PENDING_APPROVAL->SUPERSEDED"), audit(first).toString());

        // an approval of the superseded plan is refused; the new one is approvable
        approve(first, "approver", Map.of("planHash", plan(first).getString("planHash"))).statusCode(409)
                .contentType("application/problem+json");
        String third = as("admin").contentType(ContentType.JSON).body(Map.of("reason", "once more, by plan id"))
                .post("/api/plans/" + second + "/rebuild").then().statusCode(201).body("revision", equalTo(3))
                .extract().path("id");
        assertEquals(3, plans(incident).getInt("total"));
        approve(third, "approver", Map.of("planHash", plan(third).getString("planHash"))).statusCode(200)
                .body("state", equalTo("APPROVED"));
        awaitState(third, PlanState.SUCCEEDED);
    }

    @Test
    void anApprovalWithAnOldHashIs409AndAnOlderSlackButtonDoesNotCountAfterAnOverride() {
        String cluster = "prod-slack-override"; // class prod: two approvals
        String ns = unique("ns-prod");
        setUp(cluster, ns);
        String incident = "flannel-iface/" + cluster;
        send(Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        String id = awaitPlans(incident, 1);
        JsonPath p = plan(id);
        assertEquals(2, p.getInt("plan.approvalsRequired"));
        String h1 = p.getString("planHash");
        String before = SpecJson.hash(client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get().getSpec());

        approve(id, "approver", Map.of()).statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("planHash"));
        approve(id, "approver", Map.of("planHash", "0".repeat(64))).statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("changed since you reviewed"));
        assertEquals(0, plan(id).getInt("plan.approvals"), "refused approvals do not count");
        assertTrue(audit(id).contains("approver/rest/approve-refused"), audit(id).toString());

        // bob approves in Slack with the button of the message (plan hash h1): 1 of 2
        long ts = Instant.now().getEpochSecond();
        String click = slackClick("U0BOB", id, h1);
        slack(click, ts).statusCode(200).body("text", containsString("more approvals are needed"));
        assertEquals(1, plan(id).getInt("plan.approvals"));
        // the very same signed request again, within the 5-minute window: refused
        slack(click, ts).statusCode(401).contentType("application/problem+json").body("detail", containsString("replayed"));

        // another approver overrides the interface: a new diff, a new hash; bob's approval stops counting
        approve(id, "approver", Map.of("planHash", h1, "iface", "eth1", "comment", "eth1 is the private NIC"))
                .statusCode(200).body("state", equalTo("PENDING_APPROVAL"));
        JsonPath after = plan(id);
        String h2 = after.getString("planHash");
        assertNotEquals(h1, h2);
        assertTrue(after.getString("diff").contains("--iface=eth1"), after.getString("diff"));
        assertEquals(1, after.getInt("plan.approvals"), after.prettify());
        assertEquals(Map.of("approver2", false, "approver", true), Map.of(
                after.getString("approvalList[0].approver"), after.getBoolean("approvalList[0].current"),
                after.getString("approvalList[1].approver"), after.getBoolean("approvalList[1].current")));

        // bob clicks the older message's button again (a fresh, validly signed request): refused, not counted
        slack(slackClick("U0BOB", id, h1), Instant.now().getEpochSecond()).statusCode(200)
                .body("text", containsString("Refused")).body("text", containsString("changed since you reviewed"));
        // a button without a hash (a message from before hashes) is refused too
        slack(slackClick("U0BOB", id, null), Instant.now().getEpochSecond()).statusCode(200)
                .body("text", containsString("planHash is required"));
        approve(id, "approver2", Map.of("planHash", h1)).statusCode(409).contentType("application/problem+json");
        JsonPath still = plan(id);
        assertEquals("PENDING_APPROVAL", still.getString("plan.state"));
        assertEquals(1, still.getInt("plan.approvals"));
        assertEquals(before, SpecJson.hash(client.apps().daemonSets().inNamespace(ns).withName("kube-flannel-ds").get()
                .getSpec()), "nothing was applied");

        // the new message's button (hash h2) counts
        slack(slackClick("U0BOB", id, h2), Instant.now().getEpochSecond()).statusCode(200)
                .body("text", containsString("approved by approver2"));
        awaitState(id, PlanState.SUCCEEDED);
        List<String> actions = audit(id);
        assertTrue(actions.contains("approver/rest/iface-override"), actions.toString());
        assertTrue(actions.contains("approver2/slack/approve-refused"), actions.toString());
        assertTrue(actions.contains("approver2/slack/state:PENDING_APPROVAL->APPROVED"), actions.toString());
    }

    @Test
    void theNewEndpointsNeedCredentialsTheRoleAndJson() {
        String any = "/api/plans/00000000-0000-0000-0000-000000000000";
        for (String path : List.of(any + "/rebuild", any + "/live-override", "/api/incidents/flannel-iface/x/rebuild")) {
            given().contentType(ContentType.JSON).body(Map.of("reason", "r")).post(path).then().statusCode(401);
            as("viewer").contentType(ContentType.JSON).body(Map.of("reason", "r")).post(path).then().statusCode(403)
                    .contentType("application/problem+json");
            as("approver").contentType(ContentType.JSON).body(Map.of("reason", "r")).post(path).then().statusCode(403);
            as("admin").contentType("application/x-www-form-urlencoded").body("reason=r").post(path).then()
                    .statusCode(415).contentType("application/problem+json");
            as("admin").contentType(ContentType.JSON).body(Map.of("reason", "r", "planHash", "0")).post(path).then()
                    .statusCode(404).contentType("application/problem+json");
        }
        given().get("/api/incidents/flannel-iface/x/plans").then().statusCode(401);
        as("viewer").get("/api/incidents/flannel-iface/x/plans").then().statusCode(200).body("total", equalTo(0));
        given().get("/api/me").then().statusCode(401);
        as("admin").get("/api/me").then().statusCode(200).body("user", equalTo("admin"))
                .body("roles", equalTo(List.of("admin", "approver", "viewer")));
    }

    /** A Slack block_actions form body, the button value as SlackMessages builds it. */
    static String slackClick(String user, String planId, String planHash) {
        String payload = "{\"type\":\"block_actions\",\"user\":{\"id\":\"" + user + "\"},\"team\":{\"id\":\"T000\"},"
                + "\"actions\":[{\"type\":\"button\",\"block_id\":\"fleetdoctor.plan\",\"action_id\":\""
                + SlackMessages.ACTION_APPROVE + "\",\"value\":\"" + SlackMessages.buttonValue(planId, planHash)
                + "\",\"action_ts\":\"" + System.nanoTime() + "\"}]}";
        return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    static ValidatableResponse slack(String body, long epochSecond) {
        String ts = Long.toString(epochSecond);
        return RestAssured.given()
                .config(RestAssured.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .contentType("application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", SlackSignature.sign(SLACK_SECRET, ts, body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post("/slack/interactions").then();
    }
}
