package io.fleetdoctor.remediator.approval;

import io.fleetdoctor.remediator.plan.PlanState;

/**
 * The one entry point for approving or rejecting a plan, used by REST, the web page and Slack, so
 * the same policy applies on every channel.
 */
public interface ApprovalGate {

    /**
     * Records an approval; returns the plan's state afterwards (still PENDING_APPROVAL while more
     * distinct approvers are needed).
     *
     * @param ifaceOverride interface name(s) an approver supplies when the plan needs one, or null
     * @param planHash      the plan hash the approver reviewed: missing → 400, not the plan's current one → 409
     * @throws ApprovalRefusedException when the policy refuses (role, state, blocked plan, hash, bad override)
     */
    PlanState approve(String planId, Approver who, String comment, String ifaceOverride, String planHash,
                      String channel);

    /** Rejects the plan; returns its state afterwards. */
    PlanState reject(String planId, Approver who, String reason, String channel);
}
