package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.playbook.PlaybookHost;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the signals of clusters with a plan executing or verifying and records, with their event
 * time, the strikes the plan's playbook sees against its fix. The scheduler asks the playbook to judge
 * the strikes of the verification window. Signals of other clusters cost one map lookup.
 */
@ApplicationScoped
public class VerificationWatcher {
    @Inject
    PlaybookHost playbooks;

    private record Watched(String planId, String rule, Instant since) {
    }

    private final Map<String, Watched> byCluster = new ConcurrentHashMap<>();

    /** Called by the scheduler with every plan now executing or verifying (any instance may have started them). */
    void watch(List<PlanEntity> active) {
        Map<String, Watched> next = new HashMap<>();
        for (PlanEntity p : active) {
            next.put(p.cluster, new Watched(p.id, p.rule,
                    p.executionStartedAt == null ? Instant.now() : p.executionStartedAt));
        }
        byCluster.keySet().retainAll(next.keySet());
        byCluster.putAll(next);
    }

    /** Called right after this instance started a plan, so no signal slips through before the next tick. */
    void register(PlanEntity p) {
        byCluster.put(p.cluster, new Watched(p.id, p.rule, p.executionStartedAt));
    }

    /** Any signal: recorded when it strikes against the fix of a plan of its cluster. */
    public void onSignal(CloudEvent<?> e) {
        Watched w = byCluster.get(e.cluster());
        if (w == null) {
            return;
        }
        Verification v = playbooks.verification(w.rule(), e.cluster()).orElse(null);
        Verification.Strike s = v == null ? null : v.strike(e, w.since());
        if (s != null) {
            QuarkusTransaction.requiringNew().run(() -> {
                VerificationFinding f = new VerificationFinding();
                f.planId = w.planId();
                f.kind = s.kind();
                f.at = s.at();
                f.fact = s.fact();
                f.persist();
            });
        }
    }

    /** Why the verification of a plan has failed so far, or null. */
    String failure(PlanEntity p) {
        if (p.verifyStartedAt == null) {
            return null;
        }
        Verification v = playbooks.verification(p.rule, p.cluster).orElse(null);
        if (v == null) {
            return "no playbook verifies rule " + p.rule;
        }
        List<Verification.Strike> strikes = QuarkusTransaction.requiringNew().call(() ->
                VerificationFinding.<VerificationFinding>list("planId = ?1 and at >= ?2 order by at", p.id,
                        p.verifyStartedAt).stream().map(f -> new Verification.Strike(f.kind, f.at, f.fact)).toList());
        return v.failure(strikes);
    }

    /** What a passed verification of this plan states. */
    String successText(PlanEntity p) {
        return playbooks.verification(p.rule, p.cluster).map(Verification::successText).orElse("verified");
    }
}
