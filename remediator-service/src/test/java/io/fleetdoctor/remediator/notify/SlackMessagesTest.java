package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanTransition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlackMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyStateHasItsMessage() throws Exception {
        Object[][] cases = {
                // from, to, actor, kind, text fragment
                {null, PlanState.PENDING_APPROVAL, "system", "awaiting_approval", "Plan awaiting approval on c1"},
                {PlanState.PENDING_APPROVAL, PlanState.PENDING_APPROVAL, "bob", "approval_recorded", "Approval by bob"},
                {PlanState.PENDING_APPROVAL, PlanState.APPROVED, "alice", "approved", "approved by alice (via rest)"},
                {PlanState.PENDING_APPROVAL, PlanState.REJECTED, "carol", "rejected", "rejected by carol (via rest)"},
                {PlanState.APPROVED, PlanState.EXECUTING, null, "executing", "Executing the plan on c1"},
                {PlanState.EXECUTING, PlanState.VERIFYING, null, "verifying", "verifying"},
                {PlanState.VERIFYING, PlanState.SUCCEEDED, null, "succeeded", "Remediation succeeded on c1"},
                {PlanState.EXECUTING, PlanState.STALE, null, "stale", "is stale"},
                {PlanState.VERIFYING, PlanState.FAILED, null, "failed", "FAILED on c1"},
                {PlanState.VERIFYING, PlanState.ROLLED_BACK, null, "rolled_back", "rolled back on c1"},
                {PlanState.PENDING_APPROVAL, PlanState.EXPIRED, null, "expired", "expired"},
                {PlanState.PENDING_APPROVAL, PlanState.CANCELLED, null, "cancelled", "cancelled"},
        };
        for (Object[] c : cases) {
            PlanTransition t = new PlanTransition("p1", "i1", "c1", (PlanState) c[0], (PlanState) c[1],
                    (String) c[2], "rest", "why", Instant.parse("2026-11-26T10:00:00Z"), "Pin flannel", "- a\n+ b",
                    List.of("evidence"), "https://ui/plans/p1");
            SlackMessage m = SlackMessages.of(t, null);
            JsonNode body = JSON.readTree(m.json());
            assertEquals(c[3], m.kind(), "kind for " + c[1]);
            assertTrue(body.path("text").asText().contains((String) c[4]), body.path("text").asText());
            assertEquals("header", body.path("blocks").get(0).path("type").asText());
            assertTrue(body.path("blocks").size() <= 50);
            boolean buttons = body.path("blocks").toString().contains("fleetdoctor.approve");
            assertEquals("awaiting_approval".equals(c[3]), buttons, "approve buttons only while awaiting: " + c[3]);
        }
    }

    @Test
    void longDiffIsTruncatedInsideTheCodeBlockAndLinkFallsBackToBase() throws Exception {
        String diff = "+ x\n".repeat(2000) + "```";
        PlanTransition t = new PlanTransition("p2", null, "c2", null, PlanState.PENDING_APPROVAL, null, "system",
                null, null, null, diff, Collections.nCopies(15, "e"), null);
        JsonNode blocks = JSON.readTree(SlackMessages.of(t, "https://ui/plans/").json()).path("blocks");
        boolean found = false;
        for (JsonNode b : blocks) {
            String text = b.path("text").path("text").asText();
            assertTrue(text.length() <= 3000, "section too long: " + text.length());
            if (text.startsWith("*Change*")) {
                found = true;
                assertTrue(text.endsWith("… (truncated, see the plan page)```"), text.substring(text.length() - 60));
            }
            if (text.startsWith("*Evidence*")) {
                assertTrue(text.endsWith("… and 5 more"));
            }
        }
        assertTrue(found);
        assertTrue(blocks.toString().contains("\"url\":\"https://ui/plans/p2\""));
        assertFalse(blocks.toString().contains("null"));
    }
}
