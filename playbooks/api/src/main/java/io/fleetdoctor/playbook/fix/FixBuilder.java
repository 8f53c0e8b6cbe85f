package io.fleetdoctor.playbook.fix;

import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;

import java.util.List;
import java.util.Map;

/**
 * Builds the desired DaemonSet specs from the live ones, with the pre-checks. Pure: the host reads
 * the cluster and the inventories; the same input always gives the same plan.
 */
public interface FixBuilder {

    BuiltPlan build(Input in);

    /** Checks an approver's override before it is stored; throws IllegalArgumentException saying why. */
    void validateOverride(String override);

    /**
     * A DaemonSet as read (spec null when it does not exist), with its metadata's labels and annotations
     * (empty when unknown): they say who manages it (Helm, Argo CD, Flux, RKE2's helm-controller, ...).
     */
    record LiveDaemonSet(String namespace, String name, String resourceVersion, DaemonSetSpec spec,
                         Map<String, String> labels, Map<String, String> annotations) {
        public LiveDaemonSet {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        public LiveDaemonSet(String namespace, String name, String resourceVersion, DaemonSetSpec spec) {
            this(namespace, name, resourceVersion, spec, Map.of(), Map.of());
        }
    }

    /**
     * @param nodeKernels     every node of the cluster → kernel version (null when unknown)
     * @param inventories     nodes with a known interface inventory → interface names
     * @param override        an approver's override (for flannel-iface: comma-separated interface names), or null
     * @param kubeletVersions every node → its kubelet version as the node reports it
     *                        ({@code status.nodeInfo.kubeletVersion}, e.g. {@code v1.30.4+k3s1}); empty when not read.
     *                        It tells k3s (flannel runs inside k3s, no DaemonSet) and RKE2 apart from other clusters
     */
    record Input(Recommendation recommendation, List<LiveDaemonSet> daemonSets, Map<String, String> nodeKernels,
                 Map<String, List<String>> inventories, String override, Map<String, String> kubeletVersions) {
        public Input {
            // a node may not report its kubelet version yet: null values are kept (Map.copyOf refuses them)
            kubeletVersions = kubeletVersions == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kubeletVersions));
        }

        /** Without kubelet versions (k3s is then not recognised). */
        public Input(Recommendation recommendation, List<LiveDaemonSet> daemonSets, Map<String, String> nodeKernels,
                     Map<String, List<String>> inventories, String override) {
            this(recommendation, daemonSets, nodeKernels, inventories, override, Map.of());
        }
    }
}
