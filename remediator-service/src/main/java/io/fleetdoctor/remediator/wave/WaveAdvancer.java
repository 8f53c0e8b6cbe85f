package io.fleetdoctor.remediator.wave;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.execution.StartHold;
import io.fleetdoctor.remediator.notify.PlanTransitionNotifier;
import io.fleetdoctor.remediator.notify.SlackMessages;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves running waves on, from the scheduler's tick (before it starts approved plans): releases the canary, then the
 * next wave once every released member SUCCEEDED; halts the wave at the first released member that ended otherwise
 * (FAILED, ROLLED_BACK, STALE, rejected, expired, ...), marking every unreleased member held for good. Stateless: it
 * reads the wave from PostgreSQL every time (restarts, several instances: the wave's row lock orders them).
 */
@ApplicationScoped
public class WaveAdvancer implements StartHold {
    private static final Logger LOG = Logger.getLogger(WaveAdvancer.class);
    private static final String SYSTEM = "system";

    @Inject
    AuditLog audit;
    @Inject
    PlanTransitionNotifier notifier;

    @Override
    public void advance() {
        advanceAll();
    }

    @Override
    public Set<String> heldPlanIds() {
        return WaveMember.heldPlanIds();
    }

    public void advanceAll() {
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> WaveEntity.<WaveEntity>list("state", WaveState.RUNNING)
                .stream().map(w -> w.id).toList());
        for (String id : ids) {
            try {
                QuarkusTransaction.requiringNew().run(() -> advance(id));
            } catch (RuntimeException e) {
                LOG.warnf(e, "wave %s: advancing failed, retried next tick", id);
            }
        }
    }

    void advance(String id) {
        WaveEntity w = WaveEntity.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (w == null || w.state != WaveState.RUNNING) {
            return;
        }
        List<WaveMember> members = WaveMember.of(id);
        Map<String, PlanEntity> plans = WaveService.plans(members);
        boolean waiting = false;
        for (WaveMember m : members) {
            PlanEntity p = plans.get(m.planId);
            if (m.releasedAt == null) {
                continue;
            }
            if (p.state == PlanState.SUCCEEDED) {
                continue;
            }
            if (PlanStateMachine.TERMINAL.contains(p.state)) {
                halt(w, members, plans, m, p);
                return;
            }
            waiting = true;
        }
        if (waiting) {
            return;
        }
        // the next wave: the lowest wave number with an unreleased member whose plan can still run
        Integer next = members.stream().filter(m -> m.releasedAt == null && !PlanStateMachine.TERMINAL.contains(plans.get(m.planId).state))
                .map(m -> m.waveNo).min(Integer::compare).orElse(null);
        Instant now = Instant.now();
        if (next == null) {
            w.state = WaveState.COMPLETED;
            w.finishedAt = now;
            w.updatedAt = now;
            long ok = members.stream().filter(m -> plans.get(m.planId).state == PlanState.SUCCEEDED).count();
            String text = "wave " + w.id + " (" + w.rule + ") completed: " + ok + " of " + members.size()
                    + " clusters SUCCEEDED" + (ok < members.size() ? "; the others ended before their wave was released" : "");
            audit.record(SYSTEM, SYSTEM, "wave-completed", members.get(0).planId, members.get(0).cluster, text);
            notifier.notice(members.get(0).cluster, "wave", w.id, w.id + "|completed",
                    SlackMessages.notice("wave_completed", ":white_check_mark: Wave of " + w.rule + " completed", text));
            LOG.infof("%s", text);
            return;
        }
        for (WaveMember m : members) {
            if (m.waveNo == next && m.releasedAt == null && !PlanStateMachine.TERMINAL.contains(plans.get(m.planId).state)) {
                m.releasedAt = now;
                audit.record(SYSTEM, SYSTEM, "wave-released", m.planId, m.cluster, "wave " + w.id + ": "
                        + (next == 0 ? "canary released" : "wave " + next + " released, every earlier member SUCCEEDED")
                        + "; runs once approved (" + plans.get(m.planId).state + ")");
            }
        }
        w.updatedAt = now;
    }

    private void halt(WaveEntity w, List<WaveMember> members, Map<String, PlanEntity> plans, WaveMember failed,
                      PlanEntity p) {
        Instant now = Instant.now();
        String what = (failed.waveNo == 0 ? "canary " : "wave " + failed.waveNo + " member ") + failed.cluster
                + " (plan " + p.id + ") ended " + p.state;
        w.state = WaveState.HALTED;
        w.haltedReason = what;
        w.finishedAt = now;
        w.updatedAt = now;
        int held = 0;
        for (WaveMember m : members) {
            if (m.releasedAt == null && !PlanStateMachine.TERMINAL.contains(plans.get(m.planId).state)) {
                m.heldReason = "wave halted: " + what + "; this plan is never started by the wave";
                audit.record(SYSTEM, SYSTEM, "wave-held", m.planId, m.cluster, m.heldReason);
                held++;
            }
        }
        String text = "wave " + w.id + " (" + w.rule + ") halted: " + what + ". " + held
                + " cluster(s) not yet started stay untouched; their plans are held (reject them, or let them expire).";
        audit.record(SYSTEM, SYSTEM, "wave-halted", p.id, failed.cluster, text);
        notifier.notice(failed.cluster, "wave", w.id, w.id + "|halted",
                SlackMessages.notice("wave_halted", ":octagonal_sign: Wave of " + w.rule + " halted", text));
        LOG.warnf("WAVE HALTED %s", text);
    }
}
