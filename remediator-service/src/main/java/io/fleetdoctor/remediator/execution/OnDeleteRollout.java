package io.fleetdoctor.remediator.execution;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.playbook.fix.DaemonSetChange;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The rollout of a DaemonSet with {@code updateStrategy: OnDelete}: its controller replaces a pod only when it is
 * deleted. One node at a time (nodes by name): delete that node's old pods, wait until the replacement there is
 * Ready with the new template ({@code pod-template-generation} label = the DaemonSet's generation), and stop at the
 * first node whose replacement is not ready in time.
 */
public final class OnDeleteRollout {
    static final String GENERATION_LABEL = "pod-template-generation";

    private final KubernetesClient client;
    private final Duration perNode;
    private final Duration poll;

    public OnDeleteRollout(KubernetesClient client, Duration perNode, Duration poll) {
        this.client = client;
        this.perNode = perNode;
        this.poll = poll;
    }

    /**
     * @param replaced   nodes whose pod was replaced, in order
     * @param failedNode the node whose replacement was not ready (null on success)
     */
    public record Result(String failure, List<String> replaced, String failedNode) {
        public boolean ok() {
            return failure == null;
        }
    }

    /**
     * Replaces the pods of the DaemonSet node by node.
     *
     * @param progress called after each node, e.g. "ns/name: node01 replaced (2/3)"
     */
    public Result run(DaemonSetChange c, Consumer<String> progress) {
        return run(c, null, progress);
    }

    /** As {@link #run(DaemonSetChange, Consumer)}, limited to these nodes in this order (null: every node by name). */
    public Result run(DaemonSetChange c, List<String> onlyNodes, Consumer<String> progress) {
        String ref = c.namespace() + "/" + c.name();
        List<String> replaced = new ArrayList<>();
        DaemonSet ds = client.apps().daemonSets().inNamespace(c.namespace()).withName(c.name()).get();
        if (ds == null) {
            return new Result(ref + " no longer exists", replaced, null);
        }
        String generation = String.valueOf(ds.getMetadata().getGeneration());
        Map<String, List<Pod>> byNode = onlyNodes == null ? new TreeMap<>() : new LinkedHashMap<>();
        if (onlyNodes != null) {
            onlyNodes.forEach(n -> byNode.put(n, new ArrayList<>()));
        }
        for (Pod p : pods(ds)) {
            if (p.getSpec() != null && p.getSpec().getNodeName() != null
                    && (onlyNodes == null || onlyNodes.contains(p.getSpec().getNodeName()))) {
                byNode.computeIfAbsent(p.getSpec().getNodeName(), k -> new ArrayList<>()).add(p);
            }
        }
        byNode.values().removeIf(List::isEmpty);
        int i = 0;
        for (Map.Entry<String, List<Pod>> e : byNode.entrySet()) {
            i++;
            String node = e.getKey();
            List<Pod> old = e.getValue().stream().filter(p -> !(labelled(p, generation) && ready(p))).toList();
            if (old.isEmpty()) {
                progress.accept(ref + ": " + node + " already runs the new template (" + i + "/" + byNode.size() + ")");
                continue;
            }
            Set<String> gone = new TreeSet<>();
            for (Pod p : old) {
                client.pods().inNamespace(c.namespace()).withName(p.getMetadata().getName()).delete();
                gone.add(p.getMetadata().getUid());
            }
            Instant deadline = Instant.now().plus(perNode);
            while (true) {
                DaemonSet now = client.apps().daemonSets().inNamespace(c.namespace()).withName(c.name()).get();
                if (now == null) {
                    return new Result(ref + " was deleted during the rollout", replaced, node);
                }
                boolean done = pods(now).stream().anyMatch(p -> node.equals(p.getSpec().getNodeName())
                        && !gone.contains(p.getMetadata().getUid()) && p.getMetadata().getDeletionTimestamp() == null
                        && current(p, generation) && ready(p));
                if (done) {
                    break;
                }
                if (Instant.now().isAfter(deadline)) {
                    return new Result(ref + ": the replacement pod on " + node + " was not ready within " + perNode
                            + " (" + replaced.size() + " of " + byNode.size() + " node(s) replaced before it)", replaced, node);
                }
                LockSupport.parkNanos(poll.toNanos());
            }
            replaced.add(node);
            progress.accept(ref + ": " + node + " replaced and ready (" + i + "/" + byNode.size() + ")");
        }
        return new Result(null, replaced, null);
    }

    /** Pods of the DaemonSet: its selector's labels, owned by it when the pods name an owner. */
    List<Pod> pods(DaemonSet ds) {
        Map<String, String> selector = ds.getSpec().getSelector() == null ? null : ds.getSpec().getSelector().getMatchLabels();
        if (selector == null || selector.isEmpty()) {
            return List.of();
        }
        String uid = ds.getMetadata().getUid();
        return client.pods().inNamespace(ds.getMetadata().getNamespace()).withLabels(selector).list().getItems().stream()
                .filter(p -> owned(p, uid)).toList();
    }

    private static boolean owned(Pod p, String uid) {
        List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
        return owners == null || owners.isEmpty() || uid == null || owners.stream().anyMatch(o -> uid.equals(o.getUid()));
    }

    /** Labelled with the DaemonSet's current generation: this node needs nothing. */
    static boolean labelled(Pod p, String generation) {
        Map<String, String> labels = p.getMetadata().getLabels();
        return labels != null && Objects.equals(labels.get(GENERATION_LABEL), generation);
    }

    /** A replacement of the current template (a pod without the label cannot tell and counts as current). */
    static boolean current(Pod p, String generation) {
        Map<String, String> labels = p.getMetadata().getLabels();
        String g = labels == null ? null : labels.get(GENERATION_LABEL);
        return g == null || Objects.equals(g, generation);
    }

    static boolean ready(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition cond : p.getStatus().getConditions()) {
            if ("Ready".equals(cond.getType())) {
                return "True".equals(cond.getStatus());
            }
        }
        return false;
    }
}
