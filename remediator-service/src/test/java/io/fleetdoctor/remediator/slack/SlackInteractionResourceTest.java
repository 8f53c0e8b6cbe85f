package io.fleetdoctor.remediator.slack;

import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.remediator.notify.NotifyTestProfile;
import io.fleetdoctor.remediator.notify.SlackWebhookServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /slack/interactions signed (or not) exactly as Slack signs it. */
@QuarkusTest
@TestProfile(NotifyTestProfile.class)
@QuarkusTestResource(InfraTestResource.class)
class SlackInteractionResourceTest {

    @Inject
    RecordingApprovalGate gate;

    private static String form(String slackUser, String actionId, String planId) {
        String payload = "{\"type\":\"block_actions\",\"user\":{\"id\":\"" + slackUser + "\",\"username\":\"someone\"},"
                + "\"team\":{\"id\":\"T000\"},\"response_url\":\"" + SlackWebhookServer.get().base()
                + "/actions/T000/1/" + planId + "\","
                + "\"actions\":[{\"type\":\"button\",\"block_id\":\"fleetdoctor.plan\",\"action_id\":\""
                + actionId + "\",\"value\":\"" + planId + "\",\"action_ts\":\"1700000000.000100\"}]}";
        return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    private static ValidatableResponse post(String body, String timestamp, String signature) {
        RequestSpecification request = RestAssured.given()
                .config(RestAssured.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .contentType("application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", timestamp)
                .body(body);
        if (signature != null) {
            request.header("X-Slack-Signature", signature);
        }
        return request.post("/slack/interactions").then();
    }

    private static ValidatableResponse postSigned(String body, long epochSecond) {
        String ts = Long.toString(epochSecond);
        return post(body, ts, SlackSignature.sign(NotifyTestProfile.SIGNING_SECRET, ts,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void validSignatureApprovesThroughTheGate() {
        String plan = "plan-slack-ok-" + UUID.randomUUID();
        postSigned(form("U0ALICE", "fleetdoctor.approve", plan), Instant.now().getEpochSecond())
                .statusCode(200)
                .body("response_type", equalTo("ephemeral"))
                .body("text", equalTo("Plan " + plan + " approved by alice (now APPROVED)."));

        // what the clicker sees: posted to the interaction's response_url (Slack ignores the HTTP body)
        await().atMost(Duration.ofSeconds(20)).until(() -> !SlackWebhookServer.get().deliveredContaining(plan).isEmpty());
        SlackWebhookServer.Received reply = SlackWebhookServer.get().deliveredContaining(plan).get(0);
        assertEquals("/actions/T000/1/" + plan, reply.path());
        assertTrue(reply.body().contains("\"text\":\"Plan " + plan + " approved by alice (now APPROVED).\""), reply.body());
        assertTrue(reply.body().contains("\"replace_original\":false"), reply.body());

        List<RecordingApprovalGate.Call> calls = gate.callsFor(plan);
        assertEquals(1, calls.size());
        assertEquals("approve", calls.get(0).action());
        assertEquals("alice", calls.get(0).who().name());
        assertEquals(Set.of("approver"), calls.get(0).who().roles());
        assertEquals("slack", calls.get(0).channel());

        String twoPlan = "plan-two-approvals-" + UUID.randomUUID();
        postSigned(form("U0ALICE", "fleetdoctor.approve", twoPlan), Instant.now().getEpochSecond())
                .statusCode(200)
                .body("text", containsString("more approvals are needed"));
        postSigned(form("U0ALICE", "fleetdoctor.reject", twoPlan), Instant.now().getEpochSecond())
                .statusCode(200)
                .body("text", equalTo("Plan " + twoPlan + " rejected by alice (now REJECTED)."));
    }

    @Test
    void forgedSignatureIs401AndNeverReachesTheGate() {
        String plan = "plan-slack-forged-" + UUID.randomUUID();
        String body = form("U0ALICE", "fleetdoctor.approve", plan);
        String ts = Long.toString(Instant.now().getEpochSecond());
        String forged = SlackSignature.sign("not-the-secret", ts, body.getBytes(StandardCharsets.UTF_8));
        post(body, ts, forged)
                .statusCode(401)
                .contentType("application/problem+json")
                .body("status", equalTo(401))
                .body("detail", containsString("X-Slack-Signature"));
        // signed correctly, then the body changed (another plan id) in transit
        String good = SlackSignature.sign(NotifyTestProfile.SIGNING_SECRET, ts, body.getBytes(StandardCharsets.UTF_8));
        post(form("U0ALICE", "fleetdoctor.approve", plan + "-other"), ts, good).statusCode(401);
        post(body, ts, null).statusCode(401).contentType("application/problem+json");
        assertTrue(gate.callsFor(plan).isEmpty());
        assertTrue(gate.callsFor(plan + "-other").isEmpty());
    }

    @Test
    void staleTimestampIs401EvenWhenCorrectlySigned() {
        String plan = "plan-slack-stale-" + UUID.randomUUID();
        String body = form("U0ALICE", "fleetdoctor.approve", plan);
        postSigned(body, Instant.now().minusSeconds(6 * 60).getEpochSecond())
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString("X-Slack-Request-Timestamp"));
        postSigned(body, Instant.now().plusSeconds(6 * 60).getEpochSecond()).statusCode(401);
        assertTrue(gate.callsFor(plan).isEmpty());
    }

    @Test
    void unmappedOrUnauthorisedSlackUsersGetAShortRefusal() {
        String plan = "plan-slack-who-" + UUID.randomUUID();
        postSigned(form("U0MALLORY", "fleetdoctor.approve", plan), Instant.now().getEpochSecond())
                .statusCode(200)
                .body("text", containsString("not mapped to a fleetdoctor approver"));
        assertTrue(gate.callsFor(plan).isEmpty());

        postSigned(form("U0VIEWER", "fleetdoctor.approve", plan), Instant.now().getEpochSecond())
                .statusCode(200)
                .body("text", equalTo("Refused: victor does not have the approver role"));

        postSigned("payload=not-json", Instant.now().getEpochSecond())
                .statusCode(400)
                .contentType("application/problem+json");
    }
}
