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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the signals of clusters whose plan is VERIFYING: a control-plane restart after the window
 * opened, or flanneld IO over the threshold in enough samples, is written as a finding that fails
 * the verification. Signals of other clusters cost one map lookup and nothing else.
 */
@ApplicationScoped
public class VerificationWatcher {
    @Inject
    RemediatorConfig config;

    private record Watched(String planId, Instant since, AtomicInteger badIoSamples) {
    }

    private volatile Map<String, Watched> byCluster = Map.of();

    /** Called by the scheduler with the plans now verifying. */
    void watch(List<PlanEntity> verifying) {
        Map<String, Watched> next = new HashMap<>();
        Map<String, Watched> current = byCluster;
        for (PlanEntity p : verifying) {
            Watched old = current.get(p.cluster);
            next.put(p.cluster, old != null && old.planId().equals(p.id) ? old
                    : new Watched(p.id, p.verifyStartedAt, new AtomicInteger()));
        }
        byCluster = Map.copyOf(next);
    }

    public boolean watching(String cluster) {
        return byCluster.containsKey(cluster);
    }

    public void onPodRestart(CloudEvent<PodRestart> e) {
        Watched w = byCluster.get(e.cluster());
        PodRestart r = e.data();
        if (w == null || !r.controlPlane() || r.lastTermination() == null || !e.time().isAfter(w.since())) {
            return;
        }
        Instant finished = r.lastTermination().finishedAt();
        if (finished != null && finished.isBefore(w.since())) {
            return; // a restart from before the change, reported late
        }
        finding(w.planId(), e.time(), "control-plane container " + r.namespace() + "/" + r.pod() + "/" + r.container()
                + " restarted (restartCount " + r.restartCount() + ") during verification");
    }

    public void onProcessIo(CloudEvent<ProcessIo> e) {
        Watched w = byCluster.get(e.cluster());
        if (w == null || !e.time().isAfter(w.since())) {
            return;
        }
        for (ProcessIo.Process p : e.data().processes()) {
            if ("flanneld".equals(p.name()) && p.totalBytesPerSec() >= config.execution().flanneldIoThreshold()) {
                if (w.badIoSamples().incrementAndGet() == config.execution().flanneldIoSamples()) {
                    finding(w.planId(), e.time(), "flanneld on " + e.data().node() + " still at "
                            + Math.round(p.totalBytesPerSec()) + " B/s during verification");
                }
            }
        }
    }

    private static void finding(String planId, Instant at, String fact) {
        QuarkusTransaction.requiringNew().run(() -> {
            VerificationFinding f = new VerificationFinding();
            f.planId = planId;
            f.at = at;
            f.fact = fact;
            f.persist();
        });
    }
}
