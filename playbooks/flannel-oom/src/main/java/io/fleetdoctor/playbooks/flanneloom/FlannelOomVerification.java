package io.fleetdoctor.playbooks.flanneloom;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.playbook.Verification;

import java.time.Instant;
import java.util.List;

/** The fix holds when no flannel container is OOM-killed during the verification period. */
public final class FlannelOomVerification implements Verification {
    public static final String OOM_KILL = "flannel-oom-kill";

    @Override
    public Strike strike(CloudEvent<?> signal, Instant since) {
        if (!(signal.data() instanceof PodRestart r) || r.lastTermination() == null
                || !FlannelOomRule.OOM.equals(r.lastTermination().reason())
                || !FlannelOomRule.isFlannel(r.pod(), r.component(), r.container())) {
            return null;
        }
        Instant at = r.lastTermination().finishedAt() != null ? r.lastTermination().finishedAt() : signal.time();
        if (at.isBefore(since)) {
            return null; // killed before the change, reported late
        }
        return new Strike(OOM_KILL, at, r.pod() + "/" + r.container() + " on " + r.node() + " OOM-killed (restartCount "
                + r.restartCount() + ")");
    }

    @Override
    public String failure(List<Strike> strikes) {
        return strikes.stream().filter(s -> OOM_KILL.equals(s.kind())).findFirst()
                .map(s -> s.fact() + " during verification").orElse(null);
    }

    @Override
    public String successText() {
        return "verified: flannel pods ready, no flannel container OOM-killed";
    }
}
