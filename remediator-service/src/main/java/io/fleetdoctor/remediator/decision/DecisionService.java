package io.fleetdoctor.remediator.decision;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.remediator.build.ClusterPlanReader;
import io.fleetdoctor.remediator.build.DecisionGuard;
import io.fleetdoctor.playbook.fix.PlanCheck;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.fleetdoctor.remediator.policy.PolicyService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Turns decisions into plans: one plan per incident (unique constraint), {@code updated} refreshes
 * a pending plan's evidence, {@code resolved} cancels a plan that has not run and lets a verifying
 * plan succeed. The cluster is read outside any transaction; each write is one short transaction
 * that also records the event id.
 */
@ApplicationScoped
public class DecisionService {
    private static final Logger LOG = Logger.getLogger(DecisionService.class);
    public static final String SYSTEM = "system";

    @Inject
    ClusterPlanReader reader;
    @Inject
    PlanStateMachine stateMachine;
    @Inject
    PolicyService policy;
    @Inject
    AuditLog audit;
    @Inject
    RemediatorConfig config;
    @Inject
    io.fleetdoctor.remediator.playbook.PlaybookHost playbooks;

    public enum Outcome { DUPLICATE, IGNORED, CREATED, REFRESHED, CANCELLED, RESOLVED_VERIFYING, NO_PLAN }

    public Outcome handle(CloudEvent<Decision> event) {
        Decision d = event.data();
        boolean fix = d.recommendation() != null && playbooks.forAction(d.recommendation().action()).isPresent();
        boolean needsNewPlan = QuarkusTransaction.requiringNew().call(() -> {
            if (ProcessedEvent.findById(event.id()) != null) {
                return false;
            }
            return fix && !Decision.RESOLVED.equals(d.status()) && findPlan(d.incidentId()) == null;
        });
        BuiltPlan built = null;
        String buildError = null;
        if (needsNewPlan) {
            try {
                built = reader.build(event.cluster(), d.recommendation(), null);
            } catch (RuntimeException e) {
                LOG.warnf(e, "cannot read cluster %s for incident %s", event.cluster(), d.incidentId());
                buildError = e.getMessage();
            }
        }
        BuiltPlan plan = built;
        String error = buildError;
        return QuarkusTransaction.requiringNew().call(() -> apply(event, fix, plan, error));
    }

    private Outcome apply(CloudEvent<Decision> event, boolean fix, BuiltPlan built, String buildError) {
        if (ProcessedEvent.findById(event.id()) != null) {
            return Outcome.DUPLICATE;
        }
        ProcessedEvent pe = new ProcessedEvent();
        pe.eventId = event.id();
        pe.type = event.type().id();
        pe.processedAt = Instant.now();
        pe.persist();
        Decision d = event.data();
        if (!fix) {
            return Outcome.IGNORED;
        }
        PlanEntity existing = findPlan(d.incidentId());
        if (Decision.RESOLVED.equals(d.status())) {
            if (existing == null) {
                return Outcome.NO_PLAN;
            }
            if (existing.state == PlanState.PENDING_APPROVAL || existing.state == PlanState.APPROVED) {
                stateMachine.transition(existing, PlanState.CANCELLED, SYSTEM, SYSTEM,
                        "incident resolved before the plan ran");
                return Outcome.CANCELLED;
            }
            if (existing.state == PlanState.EXECUTING || existing.state == PlanState.VERIFYING) {
                existing.incidentResolvedAt = Instant.now();
                audit.record(SYSTEM, SYSTEM, "incident-resolved", existing.id, existing.cluster,
                        "the analyzer resolved the incident while the plan was " + existing.state);
                return Outcome.RESOLVED_VERIFYING;
            }
            return Outcome.IGNORED;
        }
        if (existing != null) {
            if (existing.state == PlanState.PENDING_APPROVAL) {
                existing.summary = d.summary();
                existing.severity = d.severity();
                existing.confidence = d.confidence();
                existing.evidenceJson = PlanJson.write(d.evidence());
                existing.updatedAt = Instant.now();
                audit.record(SYSTEM, SYSTEM, "evidence-refreshed", existing.id, existing.cluster,
                        d.evidence().size() + " evidence item(s) from event " + event.id());
                return Outcome.REFRESHED;
            }
            return Outcome.IGNORED;
        }
        if (built == null && buildError == null) {
            // the plan was created meanwhile by another delivery; nothing to build here
            return Outcome.IGNORED;
        }
        PlanEntity p = new PlanEntity();
        p.id = UUID.randomUUID().toString();
        p.incidentId = d.incidentId();
        p.cluster = event.cluster();
        p.clusterClass = policy.classOf(event.cluster());
        p.rule = d.rule();
        p.state = PlanState.PENDING_APPROVAL;
        p.summary = d.summary();
        p.severity = d.severity();
        p.confidence = d.confidence();
        p.evidenceJson = PlanJson.write(d.evidence());
        p.recommendationJson = PlanJson.write(d.recommendation());
        if (built != null) {
            p.changesJson = PlanJson.write(built.changes());
            p.checksJson = PlanJson.write(built.checks());
            p.diff = built.diff();
            p.iface = built.iface().isEmpty() ? null : String.join(",", built.iface());
            p.ifaceRegex = built.ifaceRegex();
            p.needsOverride = built.needsOverride();
            p.blockedReason = built.blockedReason();
        } else {
            p.changesJson = "[]";
            p.checksJson = PlanJson.write(List.of(new PlanCheck("cluster-readable", false, false, buildError)));
            p.diff = "";
            p.needsOverride = false;
            p.blockedReason = "cannot read cluster: " + buildError;
        }
        p.diffHash = io.fleetdoctor.playbook.fix.SpecJson.sha256(p.diff);
        p.approvalsRequired = policy.approvalsFor(p.cluster);
        Instant now = Instant.now();
        p.createdAt = now;
        p.updatedAt = now;
        p.expiresAt = now.plus(config.policy().expiry());
        p.persist();
        p.flush(); // the unique constraint on incident_id answers a concurrent second plan here
        stateMachine.created(p, SYSTEM, SYSTEM, "plan built from decision " + event.id());
        String refusal = built == null ? null : DecisionGuard.refusal(built.checks());
        if (refusal != null) {
            audit.record(SYSTEM, SYSTEM, "decision-refused", p.id, p.cluster, "decision " + event.id() + ": " + refusal);
        }
        return Outcome.CREATED;
    }

    static PlanEntity findPlan(String incidentId) {
        return PlanEntity.find("incidentId", incidentId).firstResult();
    }
}
