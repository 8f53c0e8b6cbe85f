package io.fleetdoctor.remediator.decision;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.remediator.build.ClusterPlanReader;
import io.fleetdoctor.remediator.build.DecisionGuard;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanFactory;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.fleetdoctor.remediator.policy.PolicyService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Turns decisions into plans: at most one live plan per incident; after a plan ended in a state of
 * {@link PlanFactory#REBUILD_AFTER}, or while the live one is blocked, the next decision builds the
 * incident's next revision ({@link PlanFactory#create}). {@code updated} refreshes a pending plan's
 * evidence, {@code resolved} cancels a plan that has not run and lets a verifying plan succeed. The
 * cluster is read outside any transaction; each write is one short transaction that also records the
 * event id.
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
    @Inject
    PlanFactory factory;
    @Inject
    io.fleetdoctor.remediator.notify.PlanTransitionNotifier notifier;
    @Inject
    io.fleetdoctor.remediator.guard.Silences silences;
    @Inject
    io.fleetdoctor.remediator.guard.StormGuard storms;
    @Inject
    io.fleetdoctor.remediator.incident.IncidentStore incidents;

    public enum Outcome { DUPLICATE, IGNORED, CREATED, REFRESHED, CANCELLED, RESOLVED_VERIFYING, NO_PLAN, SILENCED }

    public Outcome handle(CloudEvent<Decision> event) {
        Decision d = event.data();
        boolean fix = d.recommendation() != null && playbooks.forAction(d.recommendation().action()).isPresent();
        boolean needsNewPlan = QuarkusTransaction.requiringNew().call(() -> {
            if (ProcessedEvent.findById(event.id()) != null) {
                return false;
            }
            return fix && !Decision.RESOLVED.equals(d.status()) && PlanFactory.wantsNewPlan(d.incidentId())
                    && silences.covering(d.rule(), event.cluster()) == null;
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
        incidents.record(event);
        Decision d = event.data();
        if (!Decision.RESOLVED.equals(d.status())) {
            // a silenced decision is recorded (here in the audit, by the analyzer as an incident) but makes no plan
            // and no message; a resolved one still cancels a plan made before the silence
            io.fleetdoctor.remediator.guard.Silences.Silence silence = silences.covering(d.rule(), event.cluster());
            if (silence != null) {
                audit.record(SYSTEM, SYSTEM, "silenced", null, event.cluster(), d.status() + " decision " + event.id()
                        + " of " + d.incidentId() + " silenced by " + silence.id() + " (" + silence.createdBy() + ": "
                        + silence.reason() + ", until " + silence.endsAt() + ")");
                return Outcome.SILENCED;
            }
        }
        if (Decision.OPEN.equals(d.status())) {
            notifier.incidentOpened(event.cluster(), d, event.id());
            storms.onOpen(d.rule(), event.cluster(), d.incidentId());
        }
        // the analyzer's resolve carries no recommendation: it still ends the incident's plan
        if (!fix && !(Decision.RESOLVED.equals(d.status()) && PlanEntity.latestOf(d.incidentId()) != null)) {
            return Outcome.IGNORED;
        }
        PlanEntity existing = PlanEntity.liveOf(d.incidentId());
        if (Decision.RESOLVED.equals(d.status())) {
            if (existing == null) {
                return PlanEntity.latestOf(d.incidentId()) == null ? Outcome.NO_PLAN : Outcome.IGNORED;
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
        boolean rebuilt = built != null || buildError != null;
        if (existing != null && !(PlanFactory.blocked(existing) && rebuilt && !sameAs(existing, built, buildError))) {
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
        if (!rebuilt || (existing == null && !PlanFactory.wantsNewPlan(d.incidentId()))) {
            // another delivery made the plan meanwhile; nothing to build here
            return Outcome.IGNORED;
        }
        if (existing != null) {
            factory.supersede(existing, SYSTEM, SYSTEM, "blocked plan replaced by a new build from decision " + event.id());
        }
        PlanEntity p = factory.create(new PlanFactory.Origin(d.incidentId(), event.cluster(), d.rule(), d.summary(),
                d.severity(), d.confidence(), PlanJson.write(d.evidence()), PlanJson.write(d.recommendation())), built,
                buildError, SYSTEM, SYSTEM, "plan built from decision " + event.id());
        String refusal = built == null ? null : DecisionGuard.refusal(built.checks());
        if (refusal != null) {
            audit.record(SYSTEM, SYSTEM, "decision-refused", p.id, p.cluster, "decision " + event.id() + ": " + refusal);
        }
        return Outcome.CREATED;
    }

    /** A new build of a blocked plan that is blocked the same way: no new revision, no churn. */
    private static boolean sameAs(PlanEntity blocked, BuiltPlan built, String buildError) {
        String reason = built != null ? built.blockedReason() : "cannot read cluster: " + buildError;
        String changes = built != null ? PlanJson.write(built.changes()) : "[]";
        return java.util.Objects.equals(reason, blocked.blockedReason) && changes.equals(blocked.changesJson);
    }
}
