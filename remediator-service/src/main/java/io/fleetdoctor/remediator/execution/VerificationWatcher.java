package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.ProcessIo;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the signals of clusters with a plan executing or verifying and records, with their event
 * time, the facts that can fail a verification: a control-plane restart, a flanneld IO sample over
 * the threshold. The scheduler judges them against the verification window. Signals of other
 * clusters cost one map lookup and nothing else.
 */
@ApplicationScoped
public class VerificationWatcher {
    @Inject
    RemediatorConfig config;

    private record Watched(String planId, Instant since) {
    }

    private final Map<String, Watched> byCluster = new java.util.concurrent.ConcurrentHashMap<>();

    /** Called by the scheduler with every plan now executing or verifying (any instance may have started them). */
    void watch(List<PlanEntity> active) {
        Map<String, Watched> next = new HashMap<>();
        for (PlanEntity p : active) {
            next.put(p.cluster, new Watched(p.id, p.executionStartedAt == null ? Instant.now() : p.executionStartedAt));
        }
        byCluster.keySet().retainAll(next.keySet());
        byCluster.putAll(next);
    }

    /** Called right after this instance started a plan, so no signal slips through before the next tick. */
    void register(String cluster, String planId, Instant since) {
        byCluster.put(cluster, new Watched(planId, since));
    }

    public void onPodRestart(CloudEvent<PodRestart> e) {
        Watched w = byCluster.get(e.cluster());
        PodRestart r = e.data();
        if (w == null || !r.controlPlane() || r.lastTermination() == null || e.time().isBefore(w.since())) {
            return;
        }
        Instant finished = r.lastTermination().finishedAt();
        Instant at = finished != null ? finished : e.time();
        if (at.isBefore(w.since())) {
            return; // a restart from before the change, reported late
        }
        finding(w.planId(), VerificationFinding.RESTART, at, "control-plane container " + r.namespace() + "/" + r.pod()
                + "/" + r.container() + " restarted (restartCount " + r.restartCount() + ")");
    }

    public void onProcessIo(CloudEvent<ProcessIo> e) {
        Watched w = byCluster.get(e.cluster());
        if (w == null || e.time().isBefore(w.since())) {
            return;
        }
        for (ProcessIo.Process p : e.data().processes()) {
            if ("flanneld".equals(p.name()) && p.totalBytesPerSec() >= config.execution().flanneldIoThreshold()) {
                finding(w.planId(), VerificationFinding.FLANNELD_IO, e.time(), "flanneld on " + e.data().node() + " at "
                        + Math.round(p.totalBytesPerSec()) + " B/s");
            }
        }
    }

    /** Why the verification of a plan has failed so far, or null. */
    String failure(PlanEntity p) {
        if (p.verifyStartedAt == null) {
            return null;
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            VerificationFinding restart = VerificationFinding.find("planId = ?1 and kind = ?2 and at >= ?3 order by at",
                    p.id, VerificationFinding.RESTART, p.verifyStartedAt).firstResult();
            if (restart != null) {
                return restart.fact + " during verification";
            }
            List<VerificationFinding> io = VerificationFinding.list("planId = ?1 and kind = ?2 and at >= ?3 order by at",
                    p.id, VerificationFinding.FLANNELD_IO, p.verifyStartedAt);
            if (io.size() >= config.execution().flanneldIoSamples()) {
                return io.size() + " flanneld IO samples over the threshold during verification, last: "
                        + io.get(io.size() - 1).fact;
            }
            return null;
        });
    }

    private static void finding(String planId, String kind, Instant at, String fact) {
        QuarkusTransaction.requiringNew().run(() -> {
            VerificationFinding f = new VerificationFinding();
            f.planId = planId;
            f.kind = kind;
            f.at = at;
            f.fact = fact;
            f.persist();
        });
    }
}
