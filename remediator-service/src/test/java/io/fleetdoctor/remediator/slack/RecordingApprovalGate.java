package io.fleetdoctor.remediator.slack;

import io.fleetdoctor.remediator.approval.ApprovalGate;
import io.fleetdoctor.remediator.approval.ApprovalRefusedException;
import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.remediator.plan.PlanState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test-only gate, enabled by NotifyTestProfile alone. Applies a tiny policy so the Slack endpoint's
 * replies can be checked: only {@code approver} may act; a plan id containing {@code two-approvals}
 * stays PENDING_APPROVAL after one approval.
 */
@Alternative
@ApplicationScoped
public class RecordingApprovalGate implements ApprovalGate {

    public record Call(String action, String planId, Approver who, String text, String channel) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public PlanState approve(String planId, Approver who, String comment, String ifaceOverride, String planHash,
                             String channel) {
        calls.add(new Call("approve", planId, who, comment, channel));
        requireApprover(who);
        return planId.contains("two-approvals") ? PlanState.PENDING_APPROVAL : PlanState.APPROVED;
    }

    @Override
    public PlanState reject(String planId, Approver who, String reason, String channel) {
        calls.add(new Call("reject", planId, who, reason, channel));
        requireApprover(who);
        return PlanState.REJECTED;
    }

    private static void requireApprover(Approver who) {
        if (!who.roles().contains("approver")) {
            throw new ApprovalRefusedException(403, who.name() + " does not have the approver role");
        }
    }

    public List<Call> callsFor(String planId) {
        return calls.stream().filter(c -> c.planId().equals(planId)).toList();
    }
}
