package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.ProcessIo;
import io.fleetdoctor.playbook.Verification;

import java.time.Instant;
import java.util.List;

/**
 * A flannel-iface fix holds when, during verification, no control-plane container restarts and
 * flanneld's disk IO stays under the rule's own spike threshold (fewer than
 * {@code verify-io-samples} samples at or above it).
 */
public final class FlannelVerification implements Verification {
    public static final String RESTART = "control-plane-restart";
    public static final String IO = "flanneld-io";

    private final FlannelSettings s;

    public FlannelVerification(FlannelSettings settings) {
        this.s = settings;
    }

    @Override
    public Strike strike(CloudEvent<?> signal, Instant since) {
        if (signal.time().isBefore(since)) {
            return null;
        }
        if (signal.data() instanceof PodRestart r) {
            if (!r.controlPlane() || r.lastTermination() == null) {
                return null;
            }
            Instant finished = r.lastTermination().finishedAt();
            Instant at = finished != null ? finished : signal.time();
            if (at.isBefore(since)) {
                return null; // a restart from before the change, reported late
            }
            return new Strike(RESTART, at, "control-plane container " + r.namespace() + "/" + r.pod() + "/"
                    + r.container() + " restarted (restartCount " + r.restartCount() + ")");
        }
        if (signal.data() instanceof ProcessIo io) {
            for (ProcessIo.Process p : io.processes()) {
                if (s.ioProcess().equals(p.name()) && p.totalBytesPerSec() >= s.ioBytesPerSec()) {
                    return new Strike(IO, signal.time(), s.ioProcess() + " on " + io.node() + " at "
                            + Math.round(p.totalBytesPerSec()) + " B/s");
                }
            }
        }
        return null;
    }

    @Override
    public String failure(List<Strike> strikes) {
        for (Strike st : strikes) {
            if (RESTART.equals(st.kind())) {
                return st.fact() + " during verification";
            }
        }
        List<Strike> io = strikes.stream().filter(st -> IO.equals(st.kind())).toList();
        if (io.size() >= s.verifyIoSamples()) {
            return io.size() + " " + s.ioProcess() + " IO samples over the threshold during verification, last: "
                    + io.get(io.size() - 1).fact();
        }
        return null;
    }

    @Override
    public String successText() {
        return "verified: flannel pods ready, no new control-plane restarts, " + s.ioProcess() + " IO under threshold";
    }
}
