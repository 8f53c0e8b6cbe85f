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
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one plan that the scheduler moved to EXECUTING: stale check, dry run, apply, rollout watch,
 * then VERIFYING; and ends a verification with SUCCEEDED or a restore. Every state change is
 * committed before the cluster call that follows it.
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

    public void execute(String planId) {
        PlanEntity plan = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>findById(planId));
        if (plan == null || plan.state != PlanState.EXECUTING) {
            return;
        }
        if (!plan.liveExecutable()) {
            finish(planId, PlanState.FAILED, "managed by " + plan.ownerManager + " without a live override; "
                    + "nothing was written to the cluster");
            return;
        }
        List<DaemonSetChange> changes = PlanJson.changes(plan);
        ClusterPatcher cluster = new ClusterPatcher(clusters.forCluster(plan.cluster));
        String stale;
        try {
            stale = cluster.staleReason(changes);
        } catch (RuntimeException e) {
            finish(planId, PlanState.FAILED, "cannot read the cluster: " + e.getMessage());
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
        } catch (RuntimeException e) {
            finish(planId, PlanState.FAILED, "server-side dry run refused the change: " + e.getMessage());
            return;
        }
        List<DaemonSetChange> applied = new ArrayList<>();
        try {
            for (DaemonSetChange c : changes) {
                cluster.apply(c, c.after());
                applied.add(c);
                QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "apply", planId, plan.cluster,
                        c.namespace() + "/" + c.name()));
            }
        } catch (RuntimeException e) {
            rollback(planId, plan.cluster, changes, "apply failed: " + e.getMessage());
            return;
        }
        Instant deadline = Instant.now().plus(config.execution().rolloutTimeout());
        while (true) {
            boolean done;
            try {
                done = changes.stream().allMatch(cluster::rolledOut);
            } catch (RuntimeException e) {
                done = false;
                LOG.warnf("rollout status of plan %s unreadable: %s", planId, e.getMessage());
            }
            if (done) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                rollback(planId, plan.cluster, changes,
                        "rollout not complete within " + config.execution().rolloutTimeout());
                return;
            }
            LockSupport.parkNanos(config.execution().rolloutPoll().toNanos());
        }
        QuarkusTransaction.requiringNew().run(() -> {
            PlanEntity p = PlanEntity.findById(planId);
            p.verifyStartedAt = Instant.now();
            p.verifyUntil = p.verifyStartedAt.plus(config.execution().verifyWindow());
            stateMachine.transition(p, PlanState.VERIFYING, SYSTEM, SYSTEM,
                    "rolled out; verifying for " + config.execution().verifyWindow());
        });
    }

    /** Ends a verification whose outcome is known: success, or a restore with this reason. */
    public void endVerification(String planId, String failure) {
        PlanEntity plan = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>findById(planId));
        if (plan == null || plan.state != PlanState.VERIFYING) {
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
            rollback(planId, plan.cluster, changes, problem);
        }
    }

    /** An EXECUTING plan whose executor is gone (instance crash): restore the recorded specs. */
    public void recoverOrphan(String planId) {
        PlanEntity plan = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>findById(planId));
        if (plan == null || plan.state != PlanState.EXECUTING) {
            return;
        }
        rollback(planId, plan.cluster, PlanJson.changes(plan), "execution abandoned (no progress within the rollout timeout)");
    }

    private void rollback(String planId, String clusterId, List<DaemonSetChange> changes, String reason) {
        LOG.errorf("plan %s on %s failed (%s): restoring the recorded DaemonSets", planId, clusterId, reason);
        registry.counter("fleetdoctor.remediator.rollbacks").increment();
        QuarkusTransaction.requiringNew().run(() -> audit.record(SYSTEM, SYSTEM, "rollback-started", planId, clusterId, reason));
        ClusterPatcher cluster = new ClusterPatcher(clusters.forCluster(clusterId));
        try {
            for (DaemonSetChange c : changes) {
                cluster.apply(c, c.before());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "RESTORE FAILED for plan %s on %s: the cluster needs a person now", planId, clusterId);
            registry.counter("fleetdoctor.remediator.restore.failures").increment();
            finish(planId, PlanState.FAILED, reason + "; restore failed: " + e.getMessage());
            return;
        }
        finish(planId, PlanState.ROLLED_BACK, reason + "; recorded DaemonSet spec restored");
    }

    private void finish(String planId, PlanState to, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            PlanEntity p = PlanEntity.findById(planId);
            stateMachine.transition(p, to, SYSTEM, SYSTEM, reason);
        });
    }
}
