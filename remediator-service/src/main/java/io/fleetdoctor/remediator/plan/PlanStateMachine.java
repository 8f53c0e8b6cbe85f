package io.fleetdoctor.remediator.plan;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.fix.Ownership;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one transition table of plans, enforced here and only here. Every change is persisted (state,
 * history, audit) and announced as a synchronous {@link PlanTransition} inside the caller's
 * transaction, before the caller performs the side effect that follows it.
 */
@ApplicationScoped
public class PlanStateMachine {
    private static final Map<PlanState, Set<PlanState>> ALLOWED = new EnumMap<>(PlanState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        ALLOWED.put(PlanState.PENDING_APPROVAL, EnumSet.of(PlanState.APPROVED, PlanState.REJECTED, PlanState.EXPIRED,
                PlanState.CANCELLED, PlanState.SUPERSEDED, PlanState.SOURCE_CHANGE_PROPOSED));
        ALLOWED.put(PlanState.APPROVED, EnumSet.of(PlanState.EXECUTING, PlanState.REJECTED, PlanState.EXPIRED,
                PlanState.CANCELLED, PlanState.SUPERSEDED, PlanState.SOURCE_CHANGE_PROPOSED));
        ALLOWED.put(PlanState.EXECUTING, EnumSet.of(PlanState.VERIFYING, PlanState.STALE, PlanState.ROLLED_BACK,
                PlanState.FAILED));
        ALLOWED.put(PlanState.VERIFYING, EnumSet.of(PlanState.SUCCEEDED, PlanState.ROLLED_BACK, PlanState.FAILED));
        for (PlanState s : PlanState.values()) {
            ALLOWED.putIfAbsent(s, EnumSet.noneOf(PlanState.class));
        }
    }

    /** Terminal states: no transition leaves them. */
    public static final Set<PlanState> TERMINAL = Collections.unmodifiableSet(EnumSet.of(PlanState.SUCCEEDED,
            PlanState.REJECTED, PlanState.EXPIRED, PlanState.STALE, PlanState.FAILED, PlanState.ROLLED_BACK,
            PlanState.CANCELLED, PlanState.SUPERSEDED, PlanState.SOURCE_CHANGE_PROPOSED));

    @Inject
    Event<PlanTransition> transitions;
    @Inject
    AuditLog audit;
    @Inject
    RemediatorConfig config;

    public static boolean allowed(PlanState from, PlanState to) {
        return ALLOWED.get(from).contains(to);
    }

    public static Set<PlanState> next(PlanState from) {
        return Collections.unmodifiableSet(ALLOWED.get(from));
    }

    /** Announces a newly created plan (from = null, to = its first state). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void created(PlanEntity plan, String actor, String channel, String reason) {
        record(plan, null, plan.state, actor, channel, reason);
    }

    /**
     * Moves a managed plan to {@code to}; throws {@link IllegalTransitionException} when the table forbids it.
     * The row is flushed before the event fires, so an optimistic-lock conflict aborts here.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void transition(PlanEntity plan, PlanState to, String actor, String channel, String reason) {
        PlanState from = plan.state;
        if (!allowed(from, to)) {
            throw new IllegalTransitionException(plan.id, from, to);
        }
        Instant now = Instant.now();
        plan.state = to;
        plan.updatedAt = now;
        if (to == PlanState.APPROVED) {
            plan.approvedAt = now;
        } else if (to == PlanState.EXECUTING) {
            plan.executionStartedAt = now;
        } else if (TERMINAL.contains(to)) {
            plan.finishedAt = now;
        }
        plan.flush();
        record(plan, from, to, actor, channel, reason);
    }

    private void record(PlanEntity plan, PlanState from, PlanState to, String actor, String channel, String reason) {
        Instant now = Instant.now();
        PlanHistoryEntity h = new PlanHistoryEntity();
        h.planId = plan.id;
        h.fromState = from;
        h.toState = to;
        h.actor = actor;
        h.channel = channel;
        h.reason = reason;
        h.at = now;
        h.persist();
        audit.record(actor, channel, "state:" + (from == null ? "NEW" : from.name()) + "->" + to.name(), plan.id,
                plan.cluster, reason);
        transitions.fire(new PlanTransition(plan.id, plan.incidentId, plan.cluster, from, to, actor, channel, reason,
                now, plan.summary, plan.diff, highlights(plan), link(plan), plan.planHash,
                plan.managed() ? new Ownership(plan.ownerManager, plan.ownerEvidence, plan.ownerSourceChange) : null));
    }

    private String link(PlanEntity plan) {
        return config.publicUrl().map(u -> (u.endsWith("/") ? u : u + "/") + "api/plans/" + plan.id).orElse(null);
    }

    private static List<String> highlights(PlanEntity plan) {
        List<String> out = new ArrayList<>();
        try {
            List<Decision.Evidence> ev = JSON.readValue(plan.evidenceJson, new TypeReference<List<Decision.Evidence>>() {
            });
            for (Decision.Evidence e : ev) {
                if (out.size() == 5) {
                    break;
                }
                out.add(e.node() == null ? e.fact() : e.node() + ": " + e.fact());
            }
        } catch (Exception e) {
            // evidence is informational; a plan without readable evidence still transitions
        }
        return out;
    }
}
