package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanStateMachine;
import io.fleetdoctor.remediator.policy.FleetControl;
import io.fleetdoctor.remediator.policy.PolicyService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fleet guards: expires old plans, starts approved plans while fewer than max-executing run
 * (under the fleet_control row lock, so instances never exceed the limit together), honours the
 * pause switch, cooldowns, maintenance windows and canary waves (a plan of a wave starts only once its wave released
 * it), and ends verification windows. Works on an executing or
 * verifying plan only under its {@link PlanLease}: renews this instance's leases every tick, and resumes a plan
 * whose lease is free or expired (its instance died) from the persisted state.
 */
@ApplicationScoped
public class PlanScheduler {
    private static final Logger LOG = Logger.getLogger(PlanScheduler.class);
    static final List<PlanState> ACTIVE = List.of(PlanState.EXECUTING, PlanState.VERIFYING);

    @Inject
    PlanStateMachine stateMachine;
    @Inject
    PolicyService policy;
    @Inject
    RemediatorConfig config;
    @Inject
    PlanExecutor executor;
    @Inject
    VerificationWatcher watcher;
    @Inject
    ManagedExecutor workers;
    @Inject
    io.fleetdoctor.remediator.guard.StormGuard storms;
    @Inject
    PlanLease lease;
    @Inject
    StartHold holds;

    /** Plans this instance is working on, so a slow step is never started twice. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    @Scheduled(every = "${fleetdoctor.remediator.execution.poll:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            lease.renewAll();
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed: %s", e.getMessage());
        }
        try {
            expire();
            holds.advance();
            for (PlanEntity p : startApproved()) {
                watcher.register(p);
                submit(p.id, () -> executor.execute(p.id));
            }
            verify();
        } catch (RuntimeException e) {
            LOG.warnf(e, "scheduler tick failed");
        }
    }

    private void submit(String id, Runnable work) {
        if (!inFlight.add(id)) {
            return;
        }
        workers.runAsync(() -> {
            try {
                work.run();
            } catch (PlanLease.LeaseLost e) {
                LOG.warnf("work on plan %s stopped: %s", id, e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "work on plan %s failed", id);
            } finally {
                inFlight.remove(id);
            }
        });
    }

    void expire() {
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> PlanEntity.<PlanEntity>list(
                        "state in ?1 and expiresAt < ?2", List.of(PlanState.PENDING_APPROVAL, PlanState.APPROVED), Instant.now())
                .stream().map(p -> p.id).toList());
        for (String id : ids) {
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    PlanEntity p = PlanEntity.findById(id);
                    if (p.state == PlanState.PENDING_APPROVAL || p.state == PlanState.APPROVED) {
                        stateMachine.transition(p, PlanState.EXPIRED, PlanExecutor.SYSTEM, PlanExecutor.SYSTEM,
                                "not approved and started within " + config.policy().expiry());
                    }
                });
            } catch (RuntimeException e) {
                LOG.debugf("expiry of %s lost a race: %s", id, e.getMessage());
            }
        }
    }

    /** Moves approved plans to EXECUTING within the fleet limit; returns the started plans. */
    List<PlanEntity> startApproved() {
        return QuarkusTransaction.requiringNew().call(() -> {
            FleetControl control = FleetControl.lock();
            if (control.paused) {
                return List.<PlanEntity>of();
            }
            long active = PlanEntity.count("state in ?1", ACTIVE);
            int slots = (int) (config.policy().maxExecuting() - active);
            if (slots <= 0) {
                return List.<PlanEntity>of();
            }
            Instant now = Instant.now();
            Set<String> busyClusters = new HashSet<>();
            for (PlanEntity p : PlanEntity.<PlanEntity>list("state in ?1", ACTIVE)) {
                busyClusters.add(p.cluster);
            }
            List<PlanEntity> started = new ArrayList<>();
            Set<String> stormy = storms.pausedRules();
            Set<String> held = holds.heldPlanIds();
            for (PlanEntity p : PlanEntity.<PlanEntity>list("state = ?1 order by approvedAt", PlanState.APPROVED)) {
                if (started.size() >= slots) {
                    break;
                }
                if (held.contains(p.id)) {
                    continue; // in a canary wave that has not released it (StartHold)
                }
                if (stormy.contains(p.rule)) {
                    continue; // storm guard: this rule opened on too many clusters at once; an admin resumes
                }
                if (!p.liveExecutable()) {
                    // guard: a managed DaemonSet is changed at its source unless an admin overrode that
                    stateMachine.transition(p, PlanState.SOURCE_CHANGE_PROPOSED, PlanExecutor.SYSTEM,
                            PlanExecutor.SYSTEM, "managed by " + p.ownerManager + " without a live override: "
                                    + "apply the change at its source; nothing was written to the cluster");
                    continue;
                }
                if (busyClusters.contains(p.cluster) || !policy.inMaintenanceWindow(p.cluster, now)) {
                    continue;
                }
                long recent = PlanEntity.count("cluster = ?1 and state in ?2 and finishedAt > ?3", p.cluster,
                        List.of(PlanState.SUCCEEDED, PlanState.ROLLED_BACK, PlanState.FAILED),
                        now.minus(config.policy().cooldown()));
                if (recent > 0) {
                    continue;
                }
                stateMachine.transition(p, PlanState.EXECUTING, PlanExecutor.SYSTEM, PlanExecutor.SYSTEM,
                        "started by the scheduler (" + (active + started.size() + 1) + " of "
                                + config.policy().maxExecuting() + " executing)");
                // same transaction: the plan is never EXECUTING without a lease holder
                lease.acquire(p.id);
                busyClusters.add(p.cluster);
                started.add(p);
            }
            return started;
        });
    }

    void verify() {
        List<PlanEntity> active = QuarkusTransaction.requiringNew().call(() ->
                PlanEntity.<PlanEntity>list("state in ?1", ACTIVE));
        watcher.watch(active);
        Instant now = Instant.now();
        for (PlanEntity p : active) {
            // work on it here only when this instance holds its lease (its own, free, or expired: taken over)
            if (inFlight.contains(p.id) || !lease.tryAcquire(p.id)) {
                continue;
            }
            if (p.state == PlanState.EXECUTING) {
                // nobody works on it here: resume from the persisted state (an applied spec is not written again)
                submit(p.id, () -> executor.execute(p.id));
                continue;
            }
            String failure = watcher.failure(p);
            if (failure != null) {
                submit(p.id, () -> executor.endVerification(p.id, failure));
            } else if (p.incidentResolvedAt != null || (p.verifyUntil != null && now.isAfter(p.verifyUntil))) {
                submit(p.id, () -> executor.endVerification(p.id, null));
            }
        }
    }
}
