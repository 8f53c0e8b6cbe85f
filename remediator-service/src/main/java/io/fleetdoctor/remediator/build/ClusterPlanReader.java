package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.remediator.cluster.ClusterClients;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.inventory.InventoryService;
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
    RemediatorConfig config;

    /** A snapshot of the cluster as the builder needs it. */
    public record ClusterSnapshot(List<FlannelPlanBuilder.LiveDaemonSet> daemonSets, Map<String, String> nodeKernels) {
    }

    public FlannelPlanBuilder builder() {
        RemediatorConfig.Flannel f = config.flannel();
        return new FlannelPlanBuilder(f.knownBad(), f.knownGood(), f.kernelBreaks());
    }

    public ClusterSnapshot read(String cluster, Recommendation rec) {
        KubernetesClient client = clusters.forCluster(cluster);
        List<FlannelPlanBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSet ds = client.apps().daemonSets().inNamespace(rec.namespace()).withName(name).get();
            dss.add(ds == null ? new FlannelPlanBuilder.LiveDaemonSet(rec.namespace(), name, null, null)
                    : new FlannelPlanBuilder.LiveDaemonSet(rec.namespace(), name,
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
    public BuiltPlan build(String cluster, Recommendation rec, String ifaceOverride) {
        ClusterSnapshot snap = read(cluster, rec);
        return builder().build(new FlannelPlanBuilder.Input(rec, snap.daemonSets(), snap.nodeKernels(),
                inventories.interfaces(cluster), ifaceOverride));
    }

    /** Rebuilds from the specs recorded in a plan (an override must not silently pick up live edits). */
    public BuiltPlan rebuild(String cluster, Recommendation rec, List<DaemonSetChange> recorded,
                             Map<String, String> nodeKernels, String ifaceOverride) {
        List<FlannelPlanBuilder.LiveDaemonSet> dss = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            DaemonSetChange c = recorded.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
            dss.add(c == null ? new FlannelPlanBuilder.LiveDaemonSet(rec.namespace(), name, null, null)
                    : new FlannelPlanBuilder.LiveDaemonSet(c.namespace(), c.name(), c.resourceVersion(),
                    SpecJson.fromJson(c.before())));
        }
        return builder().build(new FlannelPlanBuilder.Input(rec, dss, nodeKernels, inventories.interfaces(cluster),
                ifaceOverride));
    }
}
