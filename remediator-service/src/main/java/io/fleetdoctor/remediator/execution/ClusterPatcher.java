package io.fleetdoctor.remediator.execution;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.SpecJson;

import java.util.List;
import java.util.Objects;

/** The cluster side of execution: stale check, dry run, apply, rollout status, restore. */
public final class ClusterPatcher {
    private final KubernetesClient client;

    public ClusterPatcher(KubernetesClient client) {
        this.client = client;
    }

    public DaemonSet get(DaemonSetChange c) {
        return client.apps().daemonSets().inNamespace(c.namespace()).withName(c.name()).get();
    }

    /** Why the live DaemonSets are not what the plan recorded (null when they are, or already remediated). */
    public String staleReason(List<DaemonSetChange> changes) {
        for (DaemonSetChange c : changes) {
            DaemonSet live = get(c);
            if (live == null) {
                return c.namespace() + "/" + c.name() + " no longer exists";
            }
            String hash = SpecJson.hash(live.getSpec());
            if (!hash.equals(c.specHash()) && !hash.equals(c.afterHash())) {
                return c.namespace() + "/" + c.name() + " changed since planning (resourceVersion "
                        + c.resourceVersion() + " → " + live.getMetadata().getResourceVersion() + ")";
            }
        }
        return null;
    }

    /** Server-side dry run (dryRun=All) of the desired spec on the live object. */
    public void dryRun(DaemonSetChange c) {
        DaemonSet live = get(c);
        if (SpecJson.hash(live.getSpec()).equals(c.afterHash())) {
            return;
        }
        DaemonSet desired = withSpec(live, c.after());
        client.apps().daemonSets().inNamespace(c.namespace()).resource(desired).dryRun().update();
    }

    /**
     * Replaces the spec with the desired one, locked on the live resourceVersion so a concurrent edit
     * fails instead of being overwritten. A DaemonSet already at the desired spec is left alone.
     *
     * @return true when the object was changed
     */
    public boolean apply(DaemonSetChange c, String spec) {
        DaemonSet live = get(c);
        if (SpecJson.hash(live.getSpec()).equals(SpecJson.sha256(spec))) {
            return false;
        }
        client.apps().daemonSets().inNamespace(c.namespace()).resource(withSpec(live, spec)).update();
        return true;
    }

    /** Rollout of one DaemonSet done: observed the new generation, all scheduled pods updated and ready. */
    public boolean rolledOut(DaemonSetChange c) {
        DaemonSet live = get(c);
        if (live == null || live.getStatus() == null) {
            return false;
        }
        DaemonSetStatus s = live.getStatus();
        Long generation = live.getMetadata().getGeneration();
        if (generation != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < generation)) {
            return false;
        }
        int desired = n(s.getDesiredNumberScheduled());
        return n(s.getUpdatedNumberScheduled()) == desired && n(s.getNumberReady()) == desired
                && n(s.getNumberUnavailable()) == 0;
    }

    public boolean atSpec(DaemonSetChange c, String spec) {
        DaemonSet live = get(c);
        return live != null && Objects.equals(SpecJson.hash(live.getSpec()), SpecJson.sha256(spec));
    }

    private static DaemonSet withSpec(DaemonSet live, String specJson) {
        DaemonSet copy = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder(live).build();
        copy.setSpec(SpecJson.fromJson(specJson));
        copy.setStatus(null);
        return copy;
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
