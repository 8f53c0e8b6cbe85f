package io.fleetdoctor.remediator.approval;

import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.build.ClusterPlanReader;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanFactory;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * The admin's actions on plans, each with a reason and audited: rebuild an incident's plan from the live
 * cluster (a new revision; a live plan that has not started is superseded), and the live override that lets
 * a managed DaemonSet's plan be applied to the cluster.
 */
@ApplicationScoped
public class PlanAdminService {
    private static final Logger LOG = Logger.getLogger(PlanAdminService.class);
    public static final String ADMIN_ROLE = "admin";

    @Inject
    ClusterPlanReader reader;
    @Inject
    PlanFactory factory;
    @Inject
    AuditLog audit;

    public record Rebuilt(String id, String state, String incidentId, int revision, String supersedes) {
    }

    /** Rebuilds the plan of the incident of plan {@code planId}. */
    public Rebuilt rebuildPlan(String planId, Approver who, String reason, String channel) {
        requireAdmin(who, reason);
        String incident = QuarkusTransaction.requiringNew().call(() -> {
            PlanEntity p = PlanEntity.findById(planId);
            if (p == null) {
                throw new ApprovalRefusedException(404, "no plan " + planId);
            }
            return p.incidentId;
        });
        return rebuild(incident, who, reason, channel);
    }

    /** Builds the incident's next plan from the live cluster, with the decision data of its newest plan. */
    public Rebuilt rebuildIncident(String incidentId, Approver who, String reason, String channel) {
        requireAdmin(who, reason);
        return rebuild(incidentId, who, reason, channel);
    }

    private Rebuilt rebuild(String incidentId, Approver who, String reason, String channel) {
        PlanEntity latest = QuarkusTransaction.requiringNew().call(() -> {
            PlanEntity p = PlanEntity.latestOf(incidentId);
            if (p == null) {
                throw new ApprovalRefusedException(404, "no plan for incident " + incidentId);
            }
            requireNotRunning(PlanEntity.liveOf(incidentId));
            return p;
        });
        BuiltPlan built = null;
        String buildError = null;
        try {
            built = reader.build(latest.cluster, PlanJson.recommendation(latest), null);
        } catch (RuntimeException e) {
            LOG.warnf(e, "rebuild: cannot read cluster %s for incident %s", latest.cluster, incidentId);
            buildError = e.getMessage();
        }
        BuiltPlan b = built;
        String error = buildError;
        return QuarkusTransaction.requiringNew().call(() -> {
            // the newest plan's row lock serialises rebuilds of one incident
            PlanEntity newest = PlanEntity.findById(PlanEntity.latestOf(incidentId).id, LockModeType.PESSIMISTIC_WRITE);
            PlanEntity live = PlanEntity.liveOf(incidentId);
            requireNotRunning(live);
            audit.record(who.name(), channel, "rebuild", newest.id, newest.cluster, reason);
            if (live != null) {
                factory.supersede(live, who.name(), channel, "rebuilt by " + who.name() + ": " + reason);
            }
            PlanEntity p = factory.create(PlanFactory.Origin.of(newest), b, error, who.name(), channel,
                    "rebuilt by " + who.name() + " after plan " + newest.id + " (" + newest.state + "): " + reason);
            return new Rebuilt(p.id, p.state.name(), p.incidentId, p.revision, p.supersedes);
        });
    }

    /**
     * Lets a managed DaemonSet's plan be applied live once approved. Only while PENDING_APPROVAL, bound to the
     * plan hash the admin saw; k3s plans are advice only and have nothing to apply.
     */
    public PlanState liveOverride(String planId, Approver who, String reason, String planHash, String channel) {
        requireAdmin(who, reason);
        return QuarkusTransaction.requiringNew().call(() -> {
            PlanEntity p = PlanEntity.findById(planId, LockModeType.PESSIMISTIC_WRITE);
            if (p == null) {
                throw new ApprovalRefusedException(404, "no plan " + planId);
            }
            ApprovalService.requireHash(p, planHash);
            if (!p.managed()) {
                throw new ApprovalRefusedException(409, "plan " + planId + " is not managed by another tool; "
                        + "it is applied live once approved, no override needed");
            }
            if (p.adviceOnly()) {
                throw new ApprovalRefusedException(409, "plan " + planId + " is advice for k3s (flannel runs inside the "
                        + "k3s server, there is no DaemonSet to patch): " + p.ownerSourceChange);
            }
            if (p.state != PlanState.PENDING_APPROVAL) {
                throw new ApprovalRefusedException(409, "plan " + planId + " is " + p.state
                        + "; a live override is possible only while it awaits approval");
            }
            ApprovalService.requireCurrentHash(p, planHash);
            p.liveOverrideBy = who.name();
            p.liveOverrideReason = reason;
            p.liveOverrideAt = Instant.now();
            p.updatedAt = p.liveOverrideAt;
            audit.record(who.name(), channel, "live-override", p.id, p.cluster,
                    "managed by " + p.ownerManager + " (" + p.ownerEvidence + "): " + reason);
            return p.state;
        });
    }

    private static void requireAdmin(Approver who, String reason) {
        if (who == null || who.name() == null) {
            throw new ApprovalRefusedException(401, "not authenticated");
        }
        if (who.roles() == null || !who.roles().contains(ADMIN_ROLE)) {
            throw new ApprovalRefusedException(403, who.name() + " does not have the admin role");
        }
        if (reason == null || reason.isBlank()) {
            throw new ApprovalRefusedException(400, "a reason is required");
        }
    }

    private static void requireNotRunning(PlanEntity live) {
        if (live != null && live.state != PlanState.PENDING_APPROVAL && live.state != PlanState.APPROVED) {
            throw new ApprovalRefusedException(409, "plan " + live.id + " of this incident is " + live.state
                    + "; rebuild once it has finished");
        }
    }
}
