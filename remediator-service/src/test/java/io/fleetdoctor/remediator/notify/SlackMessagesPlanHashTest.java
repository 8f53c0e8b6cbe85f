package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.playbook.fix.Ownership;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanTransition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buttons carry the plan hash; a managed plan's message shows its owner and the source change. */
class SlackMessagesPlanHashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HASH = "ab".repeat(32);

    private static PlanTransition awaiting(Ownership owner) {
        return new PlanTransition("p1", "i1", "c1", null, PlanState.PENDING_APPROVAL, "system", "system", null,
                Instant.parse("2026-11-30T12:00:00Z"), "pin flannel", "-a\n+b\n", List.of(), null, HASH, owner);
    }

    private static JsonNode blocks(PlanTransition t) throws Exception {
        return JSON.readTree(SlackMessages.of(t, null).json()).path("blocks");
    }

    @Test
    void approveAndRejectButtonsCarryPlanIdAndPlanHash() throws Exception {
        int buttons = 0;
        for (JsonNode b : blocks(awaiting(null))) {
            for (JsonNode e : b.path("elements")) {
                String action = e.path("action_id").asText();
                if (action.equals(SlackMessages.ACTION_APPROVE) || action.equals(SlackMessages.ACTION_REJECT)) {
                    assertEquals("p1:" + HASH, e.path("value").asText());
                    buttons++;
                }
            }
        }
        assertEquals(2, buttons);
        assertEquals("p1", SlackMessages.buttonValue("p1", null), "no hash known: the plan id alone (refused on click)");
    }

    @Test
    void aManagedPlanShowsOwnerEvidenceAndSourceChange() throws Exception {
        Ownership helm = new Ownership("helm", "app.kubernetes.io/managed-by=Helm", "flannel:\n  iface: eth0\n");
        String text = blocks(awaiting(helm)).toString();
        assertTrue(text.contains("Managed by helm"), text);
        assertTrue(text.contains("app.kubernetes.io/managed-by=Helm"), text);
        assertTrue(text.contains("iface: eth0"), text);

        PlanTransition proposed = new PlanTransition("p1", "i1", "c1", PlanState.PENDING_APPROVAL,
                PlanState.SOURCE_CHANGE_PROPOSED, "alice", "rest", "1 of 1 approval(s)", Instant.now(), "pin flannel",
                "", List.of(), null, HASH, helm);
        SlackMessage m = SlackMessages.of(proposed, null);
        assertEquals("source_change_proposed", m.kind());
        assertTrue(m.json().contains("nothing was written to the cluster"), m.json());
        assertTrue(m.json().contains("iface: eth0"), m.json());
    }
}
