package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.cluster.ClusterClients;
import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.cluster.UnknownClusterException;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.playbook.PlaybookHost;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a plan needs from the live cluster and the stored inventories, then builds it. The decision is
 * checked first ({@link DecisionGuard}): an unregistered cluster is never contacted, a decision naming
 * anything but a flannel DaemonSet, a foreign image or a bad interface gives a refused plan.
 */
@ApplicationScoped
public class ClusterPlanReader {
    @Inject
    ClusterClients clusters;
    @Inject
    ClusterRegistry registry;
    @Inject
    InventoryService inventories;
    @Inject
    PlaybookHost playbooks;

    private final DecisionGuard guard = new DecisionGuard(
            k -> ConfigProvider.getConfig().getOptionalValue(k, String.class));

    /** A snapshot of the cluster as the builder needs it. */
    public record ClusterSnapshot(List<FixBuilder.LiveDaemonSet> daemonSets, Map<String, String> nodeKernels,
                                  Map<String, String> kubeletVersions) {
    }

    /** The fix of the playbook that handles the recommendation's action. */
    public FixBuilder builder(String cluster, Recommendation rec) {
        return playbooks.fix(rec.action(), cluster);
    }

    /** The named DaemonSets and the nodes of a registered cluster ({@link UnknownClusterException} otherwise). */
    public ClusterSnapshot read(String cluster, Recommendation rec) {
        KubernetesClient client = clusters.forCluster(cluster);
        return read(client, rec, client.apps().daemonSets().inAnyNamespace().list().getItems());
    }

    /** The DaemonSets the recommendation names, from {@code all} (spec null when missing), and the nodes. */
    ClusterSnapshot read(KubernetesClient client, Recommendation rec, List<DaemonSet> all) {
        List<FixBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSet ds = all.stream().filter(d -> rec.namespace().equals(d.getMetadata().getNamespace())
                    && name.equals(d.getMetadata().getName())).findFirst().orElse(null);
            dss.add(ds == null ? new FixBuilder.LiveDaemonSet(rec.namespace(), name, null, null) : live(ds));
        }
        Map<String, String> kernels = new LinkedHashMap<>();
        Map<String, String> kubelets = new LinkedHashMap<>();
        for (Node n : client.nodes().list().getItems()) {
            boolean info = n.getStatus() != null && n.getStatus().getNodeInfo() != null;
            kernels.put(n.getMetadata().getName(), info ? n.getStatus().getNodeInfo().getKernelVersion() : null);
            kubelets.put(n.getMetadata().getName(), info ? n.getStatus().getNodeInfo().getKubeletVersion() : null);
        }
        return new ClusterSnapshot(dss, kernels, kubelets);
    }

    /** k3s runs flannel inside k3s: no flannel DaemonSet at all and a kubelet saying {@code +k3s}. */
    private static boolean k3sWithoutFlannelDaemonSet(KubernetesClient client, List<DaemonSet> all) {
        if (all.stream().anyMatch(FlannelDaemonSets::isFlannel)) {
            return false;
        }
        return client.nodes().list().getItems().stream().anyMatch(n -> n.getStatus() != null
                && n.getStatus().getNodeInfo() != null && String.valueOf(n.getStatus().getNodeInfo().getKubeletVersion())
                .contains("+k3s"));
    }

    static FixBuilder.LiveDaemonSet live(DaemonSet ds) {
        return new FixBuilder.LiveDaemonSet(ds.getMetadata().getNamespace(), ds.getMetadata().getName(),
                ds.getMetadata().getResourceVersion(), ds.getSpec(), ds.getMetadata().getLabels(),
                ds.getMetadata().getAnnotations());
    }

    /** Builds from the live cluster, or the refused plan of a decision that must not be followed. */
    public BuiltPlan build(String cluster, Recommendation rec, String override) {
        if (registry.find(cluster).isEmpty()) {
            return DecisionGuard.refused(DecisionGuard.CLUSTER_CHECK, List.of(UnknownClusterException.reason(cluster)));
        }
        KubernetesClient client = clusters.forCluster(cluster);
        List<DaemonSet> all = client.apps().daemonSets().inAnyNamespace().list().getItems();
        List<String> refusals = guard.refusals(cluster, rec, all);
        // on k3s the builder gives the --flannel-iface advice and nothing executes, so the guard's "names no
        // flannel DaemonSet" does not apply
        if (!refusals.isEmpty() && !k3sWithoutFlannelDaemonSet(client, all)) {
            return DecisionGuard.refused(DecisionGuard.CHECK, refusals);
        }
        ClusterSnapshot snap = read(client, rec, all);
        return builder(cluster, rec).build(new FixBuilder.Input(rec, snap.daemonSets(), snap.nodeKernels(),
                inventories.interfaces(cluster), override, snap.kubeletVersions()));
    }

    /**
     * Rebuilds from the specs recorded in a plan (an override must not silently pick up live edits). Labels and
     * annotations are read live: they say who manages the DaemonSet, and losing them would make a managed plan
     * look executable.
     */
    public BuiltPlan rebuild(String cluster, Recommendation rec, List<DaemonSetChange> recorded,
                             Map<String, String> nodeKernels, String override) {
        KubernetesClient client = registry.find(cluster).isPresent() ? clusters.forCluster(cluster) : null;
        List<FixBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSetChange c = recorded.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
            if (c == null) {
                dss.add(new FixBuilder.LiveDaemonSet(rec.namespace(), name, null, null));
                continue;
            }
            DaemonSet live = client == null ? null
                    : client.apps().daemonSets().inNamespace(c.namespace()).withName(c.name()).get();
            dss.add(new FixBuilder.LiveDaemonSet(c.namespace(), c.name(), c.resourceVersion(),
                    SpecJson.fromJson(c.before()), live == null ? null : live.getMetadata().getLabels(),
                    live == null ? null : live.getMetadata().getAnnotations()));
        }
        return builder(cluster, rec).build(new FixBuilder.Input(rec, dss, nodeKernels, inventories.interfaces(cluster),
                override));
    }
}
