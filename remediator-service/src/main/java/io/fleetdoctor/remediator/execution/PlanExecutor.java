package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.remediator.cluster.ClusterClients;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one plan that the scheduler moved to EXECUTING: stale check, dry run, apply, rollout watch,
 * then VERIFYING; and ends a verification with SUCCEEDED or a restore. Every state change is
 * committed before the cluster call that follows it. Only the holder of the plan's {@link PlanLease}
 * works on it; {@link #execute} also resumes a plan taken over from a dead instance: a DaemonSet already
 * at the desired spec is not written again, the rollout watch starts over.
 */
@ApplicationScoped
public class PlanExecutor {
    private static final Logger LOG = Logger.getLogger(PlanExecutor.class);
    static final String SYSTEM = "system";

    @Inject
    ClusterClients clusters;
    @Inject
    PlanStateMachine stateMachine;
    @Inject
    AuditLog audit;
    @Inject
    RemediatorConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    VerificationWatcher watcher;
    @Inject
    PlanLease lease;

    public void execute(String planId) {
        PlanEntity plan = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>findById(planId));
        if (plan == null || plan.state != PlanState.EXECUTING || !lease.holds(planId)) {
            return;
        }
        if (!plan.liveExecutable()) {
            finish(planId, PlanState.FAILED, "managed by " + plan.ownerManager + " without a live override; "
                    + "nothing was written to the cluster");
            return;
        }
        List<DaemonSetChange> changes = PlanJson.changes(plan);
        ClusterPatcher cluster;
        String stale;
        try {
            cluster = new ClusterPatcher(clusters.forCluster(plan.cluster));
            stale = cluster.staleReason(changes);
        } catch (RuntimeException e) {
            finish(planId, PlanState.FAILED, "cannot read the cluster: " + e.getMessage() + "; nothing was changed");
            return;
        }
        if (stale != null) {
            finish(planId, PlanState.STALE, stale + "; nothing was changed, the plan must be rebuilt");
            return;
        }
        try {
            for (DaemonSetChange c : changes) {
                cluster.dryRun(c);
            }
        } catch (ClusterPatcher.Conflict e) {
            finish(planId, PlanState.STALE, e.getMessage() + " at the dry run; nothing was changed, the plan must be rebuilt");
            return;
        } catch (RuntimeException e) {
            finish(planId, PlanState.FAILED, "server-side dry run refused the change: " + e.getMessage());
            return;
        }
        List<DaemonSetChange> applied = new ArrayList<>();
        try {
            for (DaemonSetChange c : changes) {
                if (!lease.holds(planId)) {
                    LOG.warnf("plan %s: lease lost to %s before the update; stopping here", planId, lease.owner(planId));
                    return;
                }
                boolean written = cluster.apply(c);
                applied.add(c);
                // a resumed plan finds its DaemonSets at the desired spec already: not written again
                QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "apply", planId, plan.cluster,
                        c.namespace() + "/" + c.name() + (written ? " (resourceVersion " + c.resourceVersion() + ")"
                                : " already has the desired spec: not written again")));
            }
        } catch (ClusterPatcher.Conflict e) {
            if (applied.isEmpty()) {
                finish(planId, PlanState.STALE, e.getMessage() + "; nothing was written, the plan must be rebuilt");
            } else {
                rollback(planId, plan.cluster, applied, "apply conflict: " + e.getMessage(), Map.of());
            }
            return;
        } catch (RuntimeException e) {
            rollback(planId, plan.cluster, changes, "apply failed: " + e.getMessage(), Map.of());
            return;
        }
        List<String> done = new ArrayList<>();
        Map<String, List<String>> touchedNodes = new HashMap<>();
        for (DaemonSetChange c : changes) {
            if (!c.onDelete()) {
                continue;
            }
            String ref = c.namespace() + "/" + c.name();
            OnDeleteRollout.Result r;
            try {
                r = onDelete(plan.cluster).run(c, msg -> progress(planId, plan.cluster, msg));
            } catch (RuntimeException e) {
                r = new OnDeleteRollout.Result(ref + ": " + e.getMessage(), List.of(), null);
            }
            // a rollback replaces the failed node's pod first: it is down already
            List<String> nodes = new ArrayList<>();
            if (r.failedNode() != null) {
                nodes.add(r.failedNode());
            }
            r.replaced().stream().filter(n -> !nodes.contains(n)).forEach(nodes::add);
            touchedNodes.put(ref, nodes);
            if (!r.ok()) {
                rollback(planId, plan.cluster, changes, "OnDelete rollout stopped: " + r.failure(), touchedNodes);
                return;
            }
            done.add(ref + ": OnDelete, pods replaced on " + r.replaced().size() + " node(s) one at a time");
        }
        List<DaemonSetChange> rolling = changes.stream().filter(c -> !c.onDelete()).toList();
        Instant deadline = Instant.now().plus(config.execution().rolloutTimeout());
        String last = null;
        while (!rolling.isEmpty()) {
            if (!lease.holds(planId)) {
                LOG.warnf("plan %s: lease lost to %s during the rollout watch; stopping here", planId, lease.owner(planId));
                return;
            }
            boolean complete;
            try {
                String now = String.join("; ", rolling.stream().map(cluster::progress).toList());
                if (!now.equals(last)) {
                    progress(planId, plan.cluster, now);
                    last = now;
                }
                complete = rolling.stream().allMatch(cluster::rolledOut);
            } catch (RuntimeException e) {
                complete = false;
                LOG.warnf("rollout status of plan %s unreadable: %s", planId, e.getMessage());
            }
            if (complete) {
                done.add("RollingUpdate " + last);
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                rollback(planId, plan.cluster, changes, "rollout not complete within "
                        + config.execution().rolloutTimeout() + (last == null ? "" : " (" + last + ")"), touchedNodes);
                return;
            }
            LockSupport.parkNanos(config.execution().rolloutPoll().toNanos());
        }
        String summary = String.join("; ", done);
        QuarkusTransaction.requiringNew().run(() -> {
            lease.checkHeld(planId);
            PlanEntity p = PlanEntity.findById(planId);
            p.verifyStartedAt = Instant.now();
            p.verifyUntil = p.verifyStartedAt.plus(config.execution().verifyWindow());
            stateMachine.transition(p, PlanState.VERIFYING, SYSTEM, SYSTEM,
                    "rolled out (" + summary + "); verifying for " + config.execution().verifyWindow());
        });
    }

    private OnDeleteRollout onDelete(String cluster) {
        return new OnDeleteRollout(clusters.forCluster(cluster), config.execution().rolloutTimeout(),
                config.execution().rolloutPoll());
    }

    /** A rollout step, in the audit log (the final counts go into the VERIFYING transition's reason). */
    private void progress(String planId, String cluster, String detail) {
        QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "rollout-progress", planId, cluster, detail));
    }

    /** Ends a verification whose outcome is known: success, or a restore with this reason. */
    public void endVerification(String planId, String failure) {
        PlanEntity plan = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>findById(planId));
        if (plan == null || plan.state != PlanState.VERIFYING || !lease.holds(planId)) {
            return;
        }
        List<DaemonSetChange> changes = PlanJson.changes(plan);
        ClusterPatcher cluster = new ClusterPatcher(clusters.forCluster(plan.cluster));
        String problem = failure;
        if (problem == null) {
            try {
                for (DaemonSetChange c : changes) {
                    if (!cluster.atSpec(c, c.after())) {
                        problem = c.namespace() + "/" + c.name() + " no longer has the remediated spec";
                    } else if (!cluster.rolledOut(c)) {
                        problem = "pods of " + c.namespace() + "/" + c.name() + " not all updated and ready";
                    }
                }
            } catch (RuntimeException e) {
                problem = "cannot read the cluster: " + e.getMessage();
            }
        }
        if (problem == null) {
            finish(planId, PlanState.SUCCEEDED, watcher.successText(plan));
        } else {
            rollback(planId, plan.cluster, changes, problem, Map.of());
        }
    }

    /**
     * Puts the recorded specs back, but only where the live spec is still the one fleetdoctor wrote. A spec someone
     * else changed since is left alone: the plan ends FAILED saying who changed what. For an OnDelete DaemonSet the
     * pods of {@code onDeleteNodes} (all its nodes when absent) are replaced again, one node at a time.
     */
    private void rollback(String planId, String clusterId, List<DaemonSetChange> changes, String reason,
                          Map<String, List<String>> onDeleteNodes) {
        if (!lease.holds(planId)) {
            LOG.warnf("plan %s: lease lost to %s; not restoring (%s)", planId, lease.owner(planId), reason);
            return;
        }
        LOG.errorf("plan %s on %s failed (%s): restoring the recorded DaemonSets", planId, clusterId, reason);
        registry.counter("fleetdoctor.remediator.rollbacks").increment();
        QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "rollback-started", planId, clusterId, reason));
        List<String> restored = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        try {
            ClusterPatcher cluster = new ClusterPatcher(clusters.forCluster(clusterId));
            for (DaemonSetChange c : changes) {
                String ref = c.namespace() + "/" + c.name();
                ClusterPatcher.RestoreResult r = cluster.restore(c);
                switch (r.outcome()) {
                    case RESTORED -> {
                        restored.add(ref);
                        if (c.onDelete()) {
                            OnDeleteRollout.Result again = onDelete(clusterId).run(c, onDeleteNodes.get(ref),
                                    msg -> progress(planId, clusterId, "rollback " + msg));
                            if (!again.ok()) {
                                throw new IllegalStateException("spec restored, but " + again.failure());
                            }
                        }
                    }
                    case CHANGED_BY_SOMEONE_ELSE -> foreign.add(r.detail());
                    case ALREADY_AT_RECORDED_SPEC -> {
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "RESTORE FAILED for plan %s on %s: the cluster needs a person now", planId, clusterId);
            registry.counter("fleetdoctor.remediator.restore.failures").increment();
            finish(planId, PlanState.FAILED, reason + "; restore failed: " + e.getMessage());
            return;
        }
        String restoredText = restored.isEmpty() ? "" : "; restored " + String.join(", ", restored);
        if (!foreign.isEmpty()) {
            String detail = String.join("\n", foreign);
            LOG.errorf("rollback of plan %s on %s stopped: %s", planId, clusterId, detail);
            registry.counter("fleetdoctor.remediator.rollbacks.stopped").increment();
            QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "rollback-stopped", planId, clusterId,
                    detail));
            finish(planId, PlanState.FAILED, reason + restoredText + "; rollback stopped, not overwritten: " + detail);
            return;
        }
        finish(planId, PlanState.ROLLED_BACK, reason + "; recorded DaemonSet spec restored");
    }

    private void finish(String planId, PlanState to, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            lease.checkHeld(planId);
            PlanEntity p = PlanEntity.findById(planId);
            stateMachine.transition(p, to, SYSTEM, SYSTEM, reason);
        });
    }
}
