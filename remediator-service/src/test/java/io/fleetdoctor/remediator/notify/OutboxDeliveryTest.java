package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.remediator.plan.PlanState;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PlanTransition events fired in a transaction → outbox rows → a real HTTP server standing in for
 * Slack's incoming webhook.
 */
@QuarkusTest
@TestProfile(NotifyTestProfile.class)
@QuarkusTestResource(InfraTestResource.class)
class OutboxDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TransitionFirer firer;

    @Inject
    AgroalDataSource dataSource;

    private final SlackWebhookServer slack = SlackWebhookServer.get();

    @Test
    void planLifecycleArrivesInOrderAsBlockKit() throws Exception {
        String cluster = "notify-life-" + UUID.randomUUID().toString().substring(0, 8);
        String plan = "plan-" + cluster;
        firer.fire(Transitions.awaiting(plan, cluster));
        firer.fire(Transitions.of(plan, cluster, PlanState.PENDING_APPROVAL, PlanState.APPROVED, "alice", "rest",
                        "looks right"),
                Transitions.of(plan, cluster, PlanState.APPROVED, PlanState.EXECUTING, "system", "system", null),
                Transitions.of(plan, cluster, PlanState.EXECUTING, PlanState.VERIFYING, "system", "system", null),
                Transitions.of(plan, cluster, PlanState.VERIFYING, PlanState.SUCCEEDED, "system", "system",
                        "flannel ready on 3/3 nodes, no control-plane restarts"));

        await().atMost(Duration.ofSeconds(20)).until(() -> slack.deliveredContaining(plan).size() == 5);
        List<JsonNode> messages = new ArrayList<>();
        for (SlackWebhookServer.Received r : slack.deliveredContaining(plan)) {
            messages.add(JSON.readTree(r.body()));
        }
        assertEquals(List.of("PENDING_APPROVAL", "APPROVED", "EXECUTING", "VERIFYING", "SUCCEEDED"),
                messages.stream().map(OutboxDeliveryTest::toState).collect(Collectors.toList()),
                "a plan's messages arrive in the order of its transitions");

        JsonNode awaiting = messages.get(0);
        assertTrue(awaiting.path("text").asText().startsWith("Plan awaiting approval on " + cluster));
        JsonNode blocks = awaiting.path("blocks");
        assertEquals("header", blocks.get(0).path("type").asText());
        assertTrue(blocks.get(0).path("text").path("text").asText().contains(cluster));
        String all = blocks.toString();
        assertTrue(all.contains("Pin flannel to v0.13.0 and bind it to eth0"), "summary");
        assertTrue(all.contains("flanneld read+wrote 48 MiB/s on master01"), "evidence highlights");
        assertTrue(all.contains("leaderelection lost &lt;in kube-scheduler log&gt;"), "mrkdwn is escaped");
        String diffSection = textOfSectionContaining(blocks, "```");
        assertTrue(diffSection.contains("```DaemonSet kube-system/kube-flannel-ds-amd64"), diffSection);
        assertTrue(diffSection.contains("+   - --iface=eth0"), diffSection);
        assertTrue(diffSection.endsWith("```"), diffSection);
        JsonNode actions = blockOfType(blocks, "actions").path("elements");
        assertEquals("fleetdoctor.approve", actions.get(0).path("action_id").asText());
        assertEquals(plan, actions.get(0).path("value").asText());
        assertEquals("fleetdoctor.reject", actions.get(1).path("action_id").asText());
        assertEquals("https://fleetdoctor.example.org/plans/" + plan, actions.get(2).path("url").asText());

        JsonNode approved = messages.get(1);
        assertEquals("Plan on " + cluster + " approved by alice (via rest)", approved.path("text").asText());
        assertTrue(approved.path("blocks").toString().contains("looks right"));
        assertTrue(messages.get(4).path("text").asText().contains("succeeded on " + cluster));

        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("fleetdoctor_notify_messages_sent_total"))
                .body(containsString("fleetdoctor_notify_messages_pending"))
                .body(containsString("fleetdoctor_notify_oldest_pending_seconds"));
    }

    @Test
    void aRolledBackTransitionSendsNothing() throws Exception {
        String cluster = "notify-rb-" + UUID.randomUUID().toString().substring(0, 8);
        String rolledBack = "plan-" + cluster + "-rolled-back";
        String committed = "plan-" + cluster + "-committed";
        assertThrows(TransitionFirer.Boom.class, () -> firer.fireAndRollback(Transitions.awaiting(rolledBack, cluster)));
        firer.fire(Transitions.awaiting(committed, cluster));

        await().atMost(Duration.ofSeconds(20)).until(() -> slack.deliveredContaining(committed).size() == 1);
        assertEquals(0, rows(rolledBack).size(), "the outbox row rolled back with the transition");
        assertTrue(slack.containing(rolledBack).isEmpty());
    }

    @Test
    void rateLimitedMessageIsDeliveredAfterRetryAfterExactlyOnce() throws Exception {
        String cluster = "notify-429-" + UUID.randomUUID().toString().substring(0, 8);
        String plan = "plan-" + cluster;
        slack.answer(plan, 429, "1", 1);
        firer.fire(Transitions.of(plan, cluster, PlanState.EXECUTING, PlanState.STALE, "system", "system",
                "kube-flannel-ds-amd64 resourceVersion 4711 != recorded 4702"));

        await().atMost(Duration.ofSeconds(20)).until(() -> slack.deliveredContaining(plan).size() == 1);
        List<SlackWebhookServer.Received> all = slack.containing(plan);
        assertEquals(429, all.get(0).answeredStatus());
        assertEquals(200, all.get(1).answeredStatus());
        Duration waited = Duration.between(all.get(0).at(), all.get(1).at());
        assertTrue(waited.toMillis() >= 900, "Retry-After: 1 honoured, waited " + waited);
        assertTrue(all.get(1).body().contains("Plan stale: " + cluster));

        // nothing more arrives later: delivered exactly once
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> slack.containing(plan).size() == 2);
        Row row = rows(plan).get(0);
        assertNotNull(row.deliveredAt);
        assertEquals(2, row.attempts);
    }

    @Test
    void slackDownDelaysMessagesAndLosesNone() throws Exception {
        String cluster = "notify-down-" + UUID.randomUUID().toString().substring(0, 8);
        String plan = "plan-" + cluster;
        slack.stop();
        try {
            long start = System.nanoTime();
            firer.fire(Transitions.of(plan, cluster, PlanState.APPROVED, PlanState.EXECUTING, "system", "system", null));
            firer.fire(Transitions.of(plan, cluster, PlanState.EXECUTING, PlanState.VERIFYING, "system", "system", null));
            firer.fire(Transitions.of(plan, cluster, PlanState.VERIFYING, PlanState.ROLLED_BACK, "system", "system",
                    "rollout timed out on node worker02"));
            // the transitions commit at database speed: Slack is not in their path
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2000);
            // the dispatcher tried, failed, and kept the messages
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                List<Row> rows = rows(plan);
                return rows.size() == 3 && rows.get(0).attempts >= 2 && rows.get(0).lastError != null;
            });
            assertTrue(rows(plan).stream().allMatch(r -> r.deliveredAt == null));
        } finally {
            slack.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.deliveredContaining(plan).size() == 3);
        List<String> states = new ArrayList<>();
        for (SlackWebhookServer.Received r : slack.deliveredContaining(plan)) {
            states.add(toState(JSON.readTree(r.body())));
        }
        assertEquals(List.of("EXECUTING", "VERIFYING", "ROLLED_BACK"), states);
        assertTrue(slack.deliveredContaining(plan).get(2).body().contains("rollout timed out on node worker02"));
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                .until(() -> slack.containing(plan).size() == 3);
        assertTrue(rows(plan).stream().allMatch(r -> r.deliveredAt != null));
    }

    private static String toState(JsonNode message) {
        JsonNode blocks = message.path("blocks");
        String context = blockOfType(blocks, "context").path("elements").get(0).path("text").asText();
        int arrow = context.indexOf("→ ");
        return context.substring(arrow + 2).split(" ")[0];
    }

    private static JsonNode blockOfType(JsonNode blocks, String type) {
        for (JsonNode b : blocks) {
            if (type.equals(b.path("type").asText())) {
                return b;
            }
        }
        throw new AssertionError("no " + type + " block in " + blocks);
    }

    private static String textOfSectionContaining(JsonNode blocks, String needle) {
        for (JsonNode b : blocks) {
            String text = b.path("text").path("text").asText();
            if ("section".equals(b.path("type").asText()) && text.contains(needle)) {
                return text;
            }
        }
        throw new AssertionError("no section with " + needle + " in " + blocks);
    }

    record Row(UUID id, int attempts, java.sql.Timestamp deliveredAt, String lastError) {
    }

    private List<Row> rows(String planId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, attempts, delivered_at, last_error "
                     + "FROM remediator.outbox WHERE destination = ? AND aggregate_type = 'incident' "
                     + "AND aggregate_id = ? ORDER BY seq")) {
            ps.setString(1, SlackOutboxSender.DESTINATION);
            ps.setString(2, "inc-" + planId); // Slack messages are ordered per incident (Transitions: inc-<plan>)
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getObject(1, UUID.class), rs.getInt(2), rs.getTimestamp(3), rs.getString(4)));
                }
            }
            return out;
        }
    }
}
