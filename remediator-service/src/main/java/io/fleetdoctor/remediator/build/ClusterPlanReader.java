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
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.playbook.PlaybookHost;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads what a plan needs from the live cluster and the stored inventories, then builds it. */
@ApplicationScoped
public class ClusterPlanReader {
    @Inject
    ClusterClients clusters;
    @Inject
    InventoryService inventories;
    @Inject
    PlaybookHost playbooks;

    /** A snapshot of the cluster as the builder needs it. */
    public record ClusterSnapshot(List<FixBuilder.LiveDaemonSet> daemonSets, Map<String, String> nodeKernels) {
    }

    /** The fix of the playbook that handles the recommendation's action. */
    public FixBuilder builder(String cluster, Recommendation rec) {
        return playbooks.fix(rec.action(), cluster);
    }

    public ClusterSnapshot read(String cluster, Recommendation rec) {
        KubernetesClient client = clusters.forCluster(cluster);
        List<FixBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSet ds = client.apps().daemonSets().inNamespace(rec.namespace()).withName(name).get();
            dss.add(ds == null ? new FixBuilder.LiveDaemonSet(rec.namespace(), name, null, null)
                    : new FixBuilder.LiveDaemonSet(rec.namespace(), name,
                    ds.getMetadata().getResourceVersion(), ds.getSpec()));
        }
        Map<String, String> kernels = new LinkedHashMap<>();
        for (Node n : client.nodes().list().getItems()) {
            String kernel = n.getStatus() != null && n.getStatus().getNodeInfo() != null
                    ? n.getStatus().getNodeInfo().getKernelVersion() : null;
            kernels.put(n.getMetadata().getName(), kernel);
        }
        return new ClusterSnapshot(dss, kernels);
    }

    /** Builds from the live cluster. */
    public BuiltPlan build(String cluster, Recommendation rec, String override) {
        ClusterSnapshot snap = read(cluster, rec);
        return builder(cluster, rec).build(new FixBuilder.Input(rec, snap.daemonSets(), snap.nodeKernels(),
                inventories.interfaces(cluster), override));
    }

    /** Rebuilds from the specs recorded in a plan (an override must not silently pick up live edits). */
    public BuiltPlan rebuild(String cluster, Recommendation rec, List<DaemonSetChange> recorded,
                             Map<String, String> nodeKernels, String override) {
        List<FixBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSetChange c = recorded.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
            dss.add(c == null ? new FixBuilder.LiveDaemonSet(rec.namespace(), name, null, null)
                    : new FixBuilder.LiveDaemonSet(c.namespace(), c.name(), c.resourceVersion(),
                    SpecJson.fromJson(c.before())));
        }
        return builder(cluster, rec).build(new FixBuilder.Input(rec, dss, nodeKernels, inventories.interfaces(cluster),
                override));
    }
}
