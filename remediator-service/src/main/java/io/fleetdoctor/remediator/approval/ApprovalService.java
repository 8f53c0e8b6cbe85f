package io.fleetdoctor.remediator.approval;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.remediator.build.ClusterPlanReader;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanHash;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.Map;

/**
 * The approval gate of every channel (REST, web, Slack): role, state, blocked plans, the plan hash the
 * approver saw, interface overrides (validated against the inventories and the live nodes again), distinct
 * approvers per plan hash. A managed plan without an admin's live override ends SOURCE_CHANGE_PROPOSED.
 */
@ApplicationScoped
public class ApprovalService implements ApprovalGate {
    public static final String APPROVER_ROLE = "approver";

    @Inject
    PlanStateMachine stateMachine;
    @Inject
    AuditLog audit;
    @Inject
    ClusterPlanReader reader;

    @Override
    public PlanState approve(String planId, Approver who, String comment, String ifaceOverride, String planHash,
                             String channel) {
        requireApprover(who);
        BuiltPlan rebuilt = null;
        String override = ifaceOverride == null || ifaceOverride.isBlank() ? null : ifaceOverride.trim();
        if (override != null) {
            PlanEntity snapshot = QuarkusTransaction.requiringNew().call(() -> load(planId, false));
            requireHash(snapshot, planHash);
            Decision.Recommendation rec = PlanJson.recommendation(snapshot);
            try {
                reader.builder(snapshot.cluster, rec).validateOverride(override);
            } catch (IllegalArgumentException e) {
                throw new ApprovalRefusedException(400, e.getMessage());
            }
            requirePending(snapshot);
            requireNotBlocked(snapshot);
            refuseStaleHash(snapshot, planHash, who, channel);
            Map<String, String> kernels = reader.read(snapshot.cluster, rec).nodeKernels();
            rebuilt = reader.rebuild(snapshot.cluster, rec, PlanJson.changes(snapshot), kernels, override);
            if (rebuilt.needsOverride()) {
                throw new ApprovalRefusedException(400, "interface override \"" + override + "\" does not pass the checks: "
                        + failed(rebuilt));
            }
        }
        BuiltPlan withOverride = rebuilt;
        return QuarkusTransaction.requiringNew().call(() -> {
            PlanEntity p = load(planId, true);
            requireHash(p, planHash);
            requirePending(p);
            if (p.expiresAt != null && Instant.now().isAfter(p.expiresAt)) {
                throw new ApprovalRefusedException(409, "plan " + planId + " has expired");
            }
            requireNotBlocked(p);
            if (!p.planHash.equals(planHash.trim())) {
                // not counted; recorded on its own so the refusal survives this transaction's rollback
                refuseStaleHash(p, planHash, who, channel);
            }
            if (withOverride != null) {
                String before = p.planHash;
                p.changesJson = PlanJson.write(withOverride.changes());
                p.checksJson = PlanJson.write(withOverride.checks());
                p.diff = withOverride.diff();
                p.diffHash = SpecJson.sha256(p.diff);
                p.iface = String.join(",", withOverride.iface());
                p.ifaceRegex = withOverride.ifaceRegex();
                p.ifaceOverride = override;
                p.needsOverride = false;
                p.blockedReason = withOverride.blockedReason();
                p.planHash = PlanHash.of(p);
                // approvals of the previous hash stop counting: they are counted per plan hash
                audit.record(who.name(), channel, "iface-override", p.id, p.cluster,
                        override + " (plan hash " + before + " -> " + p.planHash + ")");
            }
            if (p.blockedReason != null) {
                throw new ApprovalRefusedException(409, "plan is blocked: " + p.blockedReason);
            }
            if (p.needsOverride) {
                throw new ApprovalRefusedException(409,
                        "plan needs an interface override (iface) before it can be approved: " + failedChecks(p));
            }
            long already = ApprovalEntity.count("planId = ?1 and approver = ?2 and planHash = ?3",
                    p.id, who.name(), p.planHash);
            if (already == 0) {
                ApprovalEntity a = new ApprovalEntity();
                a.planId = p.id;
                a.approver = who.name();
                a.comment = comment;
                a.channel = channel;
                a.diffHash = p.diffHash;
                a.planHash = p.planHash;
                a.at = Instant.now();
                a.persist();
                a.flush();
            }
            audit.record(who.name(), channel, already == 0 ? "approve" : "approve-again", p.id, p.cluster,
                    (comment == null ? "" : comment + " ") + "(plan hash " + p.planHash + ")");
            long distinct = ApprovalEntity.distinctApprovers(p.id, p.planHash);
            if (distinct >= p.approvalsRequired) {
                String approvals = distinct + " of " + p.approvalsRequired + " approval(s)"
                        + (comment == null ? "" : ": " + comment);
                if (p.liveExecutable()) {
                    stateMachine.transition(p, PlanState.APPROVED, who.name(), channel, approvals);
                } else {
                    stateMachine.transition(p, PlanState.SOURCE_CHANGE_PROPOSED, who.name(), channel, approvals
                            + "; managed by " + p.ownerManager + " (" + p.ownerEvidence + "): apply the change at its "
                            + "source, nothing was written to the cluster");
                }
            } else {
                // touching the row makes a concurrent approval of the same plan conflict (@Version)
                p.updatedAt = Instant.now();
            }
            return p.state;
        });
    }

    /** An approval or override must name the plan hash it was made for. */
    static void requireHash(PlanEntity p, String planHash) {
        if (planHash == null || planHash.isBlank()) {
            throw new ApprovalRefusedException(400, "planHash is required: the hash of the plan you reviewed "
                    + "(planHash of GET /api/plans/" + p.id + ")");
        }
    }

    /** The plan changed since the caller read it: 409, nothing recorded toward the policy. */
    static void requireCurrentHash(PlanEntity p, String planHash) {
        if (!p.planHash.equals(planHash.trim())) {
            throw new ApprovalRefusedException(409, "plan " + p.id + " changed since you reviewed it: you sent plan hash "
                    + planHash.trim() + ", the plan is now " + p.planHash + "; review it again");
        }
    }

    private void refuseStaleHash(PlanEntity p, String planHash, Approver who, String channel) {
        if (p.planHash.equals(planHash.trim())) {
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> audit.record(who.name(), channel, "approve-refused", p.id,
                p.cluster, "stale plan hash " + planHash.trim() + " (current " + p.planHash + ")"));
        requireCurrentHash(p, planHash);
    }

    @Override
    public PlanState reject(String planId, Approver who, String reason, String channel) {
        requireApprover(who);
        if (reason == null || reason.isBlank()) {
            throw new ApprovalRefusedException(400, "a reason is required to reject a plan");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            PlanEntity p = load(planId, true);
            if (p.state != PlanState.PENDING_APPROVAL && p.state != PlanState.APPROVED) {
                throw new ApprovalRefusedException(409, "plan " + planId + " is " + p.state + " and cannot be rejected");
            }
            stateMachine.transition(p, PlanState.REJECTED, who.name(), channel, reason);
            return p.state;
        });
    }

    private static void requireApprover(Approver who) {
        if (who == null || who.name() == null) {
            throw new ApprovalRefusedException(401, "not authenticated");
        }
        if (who.roles() == null || !who.roles().contains(APPROVER_ROLE)) {
            throw new ApprovalRefusedException(403, who.name() + " does not have the approver role");
        }
    }

    private static void requirePending(PlanEntity p) {
        if (p.state != PlanState.PENDING_APPROVAL) {
            throw new ApprovalRefusedException(409, "plan " + p.id + " is " + p.state + ", not PENDING_APPROVAL");
        }
    }

    /** A failed non-overridable check blocks the plan for good; no override can clear it. */
    private static void requireNotBlocked(PlanEntity p) {
        if (p.blockedReason != null) {
            throw new ApprovalRefusedException(409, "plan is blocked: " + p.blockedReason);
        }
    }

    private static PlanEntity load(String planId, boolean lock) {
        PlanEntity p = lock ? PlanEntity.findById(planId, LockModeType.PESSIMISTIC_WRITE) : PlanEntity.findById(planId);
        if (p == null) {
            throw new ApprovalRefusedException(404, "no plan " + planId);
        }
        return p;
    }

    private static String failed(BuiltPlan b) {
        StringBuilder s = new StringBuilder();
        b.checks().stream().filter(c -> !c.passed()).forEach(c -> s.append(c.name()).append(": ").append(c.detail()).append("; "));
        return s.toString();
    }

    private static String failedChecks(PlanEntity p) {
        StringBuilder s = new StringBuilder();
        PlanJson.checks(p).stream().filter(c -> !c.passed())
                .forEach(c -> s.append(c.name()).append(": ").append(c.detail()).append("; "));
        return s.toString();
    }
}
