package io.fleetdoctor.remediator.plan;

import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.Ownership;
import io.fleetdoctor.playbook.fix.PlanCheck;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.policy.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Creates the plans of an incident, one revision after another: a new plan gets the next revision
 * and points at the one it replaces; a partial unique index keeps at most one live plan per incident.
 */
@ApplicationScoped
public class PlanFactory {
    /** After these a decision for the incident builds a new plan; SUCCEEDED and SOURCE_CHANGE_PROPOSED need an admin's rebuild. */
    public static final Set<PlanState> REBUILD_AFTER = EnumSet.of(PlanState.STALE, PlanState.EXPIRED,
            PlanState.REJECTED, PlanState.ROLLED_BACK, PlanState.CANCELLED, PlanState.FAILED, PlanState.SUPERSEDED);

    @Inject
    PlanStateMachine stateMachine;
    @Inject
    PolicyService policy;
    @Inject
    RemediatorConfig config;

    /** What a plan is about, taken from a decision or from the incident's previous plan. */
    public record Origin(String incidentId, String cluster, String rule, String summary, String severity,
                         Double confidence, String evidenceJson, String recommendationJson) {
        public static Origin of(PlanEntity p) {
            return new Origin(p.incidentId, p.cluster, p.rule, p.summary, p.severity, p.confidence, p.evidenceJson,
                    p.recommendationJson);
        }
    }

    /** A live plan that cannot be approved as built: a new build may replace it. */
    public static boolean blocked(PlanEntity p) {
        return p.state == PlanState.PENDING_APPROVAL && p.blockedReason != null;
    }

    /** Whether a decision for this incident should build a plan now. */
    public static boolean wantsNewPlan(String incidentId) {
        PlanEntity live = PlanEntity.liveOf(incidentId);
        if (live != null) {
            return blocked(live);
        }
        PlanEntity latest = PlanEntity.latestOf(incidentId);
        return latest == null || REBUILD_AFTER.contains(latest.state);
    }

    /** Ends a live plan because a newer one replaces it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void supersede(PlanEntity live, String actor, String channel, String reason) {
        stateMachine.transition(live, PlanState.SUPERSEDED, actor, channel, reason);
    }

    /**
     * Persists the incident's next plan (PENDING_APPROVAL) from a build, or from a build error (then blocked with
     * the error); any live plan of the incident must have ended first.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public PlanEntity create(Origin o, BuiltPlan built, String buildError, String actor, String channel, String reason) {
        PlanEntity previous = PlanEntity.latestOf(o.incidentId());
        PlanEntity p = new PlanEntity();
        p.id = UUID.randomUUID().toString();
        p.incidentId = o.incidentId();
        p.revision = previous == null ? 1 : previous.revision + 1;
        p.supersedes = previous == null ? null : previous.id;
        p.cluster = o.cluster();
        p.clusterClass = policy.classOf(o.cluster());
        p.rule = o.rule();
        p.state = PlanState.PENDING_APPROVAL;
        p.summary = o.summary();
        p.severity = o.severity();
        p.confidence = o.confidence();
        p.evidenceJson = o.evidenceJson();
        p.recommendationJson = o.recommendationJson();
        if (built != null) {
            p.changesJson = PlanJson.write(built.changes());
            p.checksJson = PlanJson.write(built.checks());
            p.diff = built.diff();
            p.iface = built.iface().isEmpty() ? null : String.join(",", built.iface());
            p.ifaceRegex = built.ifaceRegex();
            p.needsOverride = built.needsOverride();
            p.blockedReason = built.blockedReason();
            Ownership owner = built.owner();
            if (owner != null) {
                p.ownerManager = owner.manager();
                p.ownerEvidence = owner.evidence();
                p.ownerSourceChange = owner.sourceChange();
            }
        } else {
            p.changesJson = "[]";
            p.checksJson = PlanJson.write(List.of(new PlanCheck("cluster-readable", false, false, buildError)));
            p.diff = "";
            p.needsOverride = false;
            p.blockedReason = "cannot read cluster: " + buildError;
        }
        p.diffHash = SpecJson.sha256(p.diff);
        p.planHash = PlanHash.of(p);
        p.approvalsRequired = policy.approvalsFor(p.cluster);
        Instant now = Instant.now();
        p.createdAt = now;
        p.updatedAt = now;
        p.expiresAt = now.plus(config.policy().expiry());
        p.persist();
        p.flush(); // the partial unique index answers a concurrent second live plan here
        stateMachine.created(p, actor, channel, reason);
        return p;
    }
}
