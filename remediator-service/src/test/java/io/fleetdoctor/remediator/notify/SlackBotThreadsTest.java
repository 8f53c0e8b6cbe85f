package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanTransition;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slack for a fleet with a bot token: chat.postMessage to the cluster's channel from the registry (or the default
 * channel), "incident opened" first, then every plan message of that incident in its thread, in order; the
 * messages that need a person are also broadcast to the channel. The real test HTTP server answers as Slack's Web
 * API does (HTTP 200, {"ok": true, "ts": …}).
 */
@QuarkusTest
@TestProfile(SlackBotThreadsTest.BotProfile.class)
@QuarkusTestResource(InfraTestResource.class)
class SlackBotThreadsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "xoxb-test-0000-fleetdoctor";

    public static class BotProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleetdoctor.notify.bot-token", TOKEN,
                    "fleetdoctor.notify.api-url", SlackWebhookServer.get().base() + "/api",
                    "fleetdoctor.notify.default-channel", "#fleet-default");
        }

        @Override
        public String getConfigProfile() {
            return "test";
        }
    }

    @Inject
    TransitionFirer firer;
    @Inject
    PlanTransitionNotifier notifier;

    final SlackWebhookServer slack = SlackWebhookServer.get();

    static Decision decision(String incident) {
        return new Decision(incident, "flannel-iface", Decision.OPEN, "critical", 0.9,
                "kube-controller-manager restarts while flanneld saturates the disk", List.of(
                new Decision.Evidence("s-1", "io.fleetdoctor.signal.process-io.v1", "master01", "flanneld wrote 48 MiB/s")),
                null);
    }

    static PlanTransition transition(String plan, String incident, String cluster, PlanState from, PlanState to) {
        return new PlanTransition(plan, incident, cluster, from, to, "system", "system", null, Instant.now(),
                "Pin flannel to v0.13.0 and bind it to eth0 on " + cluster, Transitions.DIFF, List.of(), null);
    }

    List<JsonNode> posted(String marker) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (SlackWebhookServer.Received r : slack.deliveredContaining(marker)) {
            assertTrue(r.path().endsWith("/api/chat.postMessage"), r.path());
            assertEquals("Bearer " + TOKEN, r.authorization());
            out.add(JSON.readTree(r.body()));
        }
        return out;
    }

    @Test
    void anIncidentIsOneThreadInItsClustersChannel() throws Exception {
        String u = UUID.randomUUID().toString().substring(0, 8);
        String incident = "flannel-iface/registry-prod/" + u; // every message names the incident or the plan: u
        String plan = "plan-" + u;
        QuarkusTransaction.requiringNew().run(() -> notifier.incidentOpened("registry-prod", decision(incident), "ev-" + plan));
        firer.fire(transition(plan, incident, "registry-prod", null, PlanState.PENDING_APPROVAL));
        firer.fire(transition(plan, incident, "registry-prod", PlanState.PENDING_APPROVAL, PlanState.APPROVED),
                transition(plan, incident, "registry-prod", PlanState.APPROVED, PlanState.EXECUTING),
                transition(plan, incident, "registry-prod", PlanState.EXECUTING, PlanState.FAILED));

        await().atMost(Duration.ofSeconds(30)).until(() -> slack.deliveredContaining(u).size() == 5);
        List<JsonNode> m = posted(u);
        JsonNode opened = m.get(0);
        assertTrue(opened.path("text").asText().startsWith("Incident opened on registry-prod"), opened.toString());
        assertEquals("#net-prod", opened.path("channel").asText(), "the registry's channel of the cluster");
        assertFalse(opened.has("thread_ts"), "the first message starts the thread");
        String thread = null;
        for (int i = 1; i < m.size(); i++) {
            assertEquals("#net-prod", m.get(i).path("channel").asText());
            String ts = m.get(i).path("thread_ts").asText();
            assertFalse(ts.isEmpty(), "message " + i + " is a reply: " + m.get(i));
            if (thread == null) {
                thread = ts;
            }
            assertEquals(thread, ts, "one thread per incident");
        }
        assertTrue(m.get(1).path("text").asText().startsWith("Plan awaiting approval"), "in order: " + m.get(1));
        assertTrue(m.get(1).path("reply_broadcast").asBoolean(), "awaiting approval is shown in the channel too");
        assertFalse(m.get(2).path("reply_broadcast").asBoolean(), "approved stays in the thread");
        assertTrue(m.get(4).path("text").asText().contains("FAILED"), "in order: " + m.get(4));
        assertTrue(m.get(4).path("reply_broadcast").asBoolean());
    }

    @Test
    void aClusterWithoutAChannelUsesTheDefaultOne() throws Exception {
        String cluster = "unregistered-" + UUID.randomUUID().toString().substring(0, 8);
        String incident = "flannel-iface/" + cluster;
        QuarkusTransaction.requiringNew().run(() -> notifier.incidentOpened(cluster, decision(incident), "ev-" + cluster));
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.deliveredContaining(incident).size() == 1);
        assertEquals("#fleet-default", posted(incident).get(0).path("channel").asText());
    }
}
