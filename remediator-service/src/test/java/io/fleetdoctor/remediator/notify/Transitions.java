package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanTransition;

import java.time.Instant;
import java.util.List;

/** Realistic transitions of the flannel-iface plan for tests. */
final class Transitions {
    static final String DIFF = "DaemonSet kube-system/kube-flannel-ds-amd64, container kube-flannel:\n"
            + "- image: quay.io/coreos/flannel:v0.13.1-rc1\n"
            + "+ image: quay.io/coreos/flannel:v0.13.0\n"
            + "  args:\n"
            + "    - --ip-masq\n"
            + "    - --kube-subnet-mgr\n"
            + "+   - --iface=eth0\n";

    private Transitions() {
    }

    static PlanTransition of(String planId, String cluster, PlanState from, PlanState to, String actor,
                             String channel, String reason) {
        return new PlanTransition(planId, "inc-" + planId, cluster, from, to, actor, channel, reason, Instant.now(),
                "Pin flannel to v0.13.0 and bind it to eth0 on " + cluster,
                DIFF,
                List.of("kube-controller-manager restarted 4 times in 30 min",
                        "flanneld read+wrote 48 MiB/s on master01 (3 samples)",
                        "master01 has 2 up NICs with IPv4: eth0, eth1",
                        "leaderelection lost <in kube-scheduler log>"),
                "https://fleetdoctor.example.org/plans/" + planId);
    }

    static PlanTransition awaiting(String planId, String cluster) {
        return of(planId, cluster, null, PlanState.PENDING_APPROVAL, "system", "system", null);
    }
}
