package io.fleetdoctor.remediator.support;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The pod side of an OnDelete DaemonSet the mock API server lacks: one pod per node of {@link Fixtures#NODES},
 * labelled {@code pod-template-generation}; a node whose pod was deleted gets a new pod of the DaemonSet's current
 * generation on the next round, Ready unless that node is broken for that generation. Records what it saw.
 */
@ApplicationScoped
public class FakeOnDeletePods {
    @Inject
    KubernetesClient client;

    /** namespace/name → node → generation whose pods never become ready there */
    private final Map<String, Map<String, Long>> managed = new ConcurrentHashMap<>();
    /** namespace/name → nodes in the order their replacement pod was created */
    private final Map<String, List<String>> created = new ConcurrentHashMap<>();
    /** namespace/name → the largest number of nodes without a ready pod seen in one round */
    private final Map<String, Integer> maxDown = new ConcurrentHashMap<>();

    /** Creates a Ready pod on every node for the DaemonSet and manages it from now on. */
    public List<Pod> manage(DaemonSet ds) {
        String key = ds.getMetadata().getNamespace() + "/" + ds.getMetadata().getName();
        List<Pod> pods = new ArrayList<>();
        for (String node : Fixtures.NODES) {
            pods.add(createPod(ds, node, true));
        }
        created.put(key, new CopyOnWriteArrayList<>());
        maxDown.put(key, 0);
        managed.put(key, new ConcurrentHashMap<>());
        return pods;
    }

    /** Pods of the DaemonSet's next generation on {@code node} never become ready. */
    public void breakNextGeneration(DaemonSet ds, String node) {
        String key = ds.getMetadata().getNamespace() + "/" + ds.getMetadata().getName();
        managed.get(key).put(node, ds.getMetadata().getGeneration() + 1);
    }

    public List<String> createdOn(String namespace, String name) {
        return List.copyOf(created.getOrDefault(namespace + "/" + name, List.of()));
    }

    public int maxNodesDown(String namespace, String name) {
        return maxDown.getOrDefault(namespace + "/" + name, -1);
    }

    public List<Pod> pods(String namespace) {
        return client.pods().inNamespace(namespace).list().getItems();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        for (Map.Entry<String, Map<String, Long>> e : managed.entrySet()) {
            String[] ref = e.getKey().split("/");
            DaemonSet ds;
            try {
                ds = client.apps().daemonSets().inNamespace(ref[0]).withName(ref[1]).get();
            } catch (RuntimeException ex) {
                continue;
            }
            if (ds == null) {
                continue;
            }
            Map<String, Pod> byNode = new HashMap<>();
            for (Pod p : client.pods().inNamespace(ref[0]).list().getItems()) {
                byNode.put(p.getSpec().getNodeName(), p);
            }
            Set<String> down = new TreeSet<>();
            for (String node : Fixtures.NODES) {
                Pod p = byNode.get(node);
                if (p == null || !ready(p)) {
                    down.add(node);
                }
            }
            maxDown.merge(e.getKey(), down.size(), Math::max);
            for (String node : Fixtures.NODES) {
                if (!byNode.containsKey(node)) {
                    Long broken = e.getValue().get(node);
                    createPod(ds, node, broken == null || !broken.equals(ds.getMetadata().getGeneration()));
                    created.get(e.getKey()).add(node);
                }
            }
        }
    }

    private Pod createPod(DaemonSet ds, String node, boolean ready) {
        Map<String, String> labels = new HashMap<>(ds.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("pod-template-generation", String.valueOf(ds.getMetadata().getGeneration()));
        Pod pod = new PodBuilder().withNewMetadata()
                .withName(ds.getMetadata().getName() + "-" + node + "-g" + ds.getMetadata().getGeneration()
                        + "-" + Long.toHexString(System.nanoTime()))
                .withNamespace(ds.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("DaemonSet")
                        .withName(ds.getMetadata().getName()).withUid(ds.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withNewSpec().withNodeName(node).withContainers(ds.getSpec().getTemplate().getSpec().getContainers())
                .endSpec().build();
        Pod made = client.pods().inNamespace(ds.getMetadata().getNamespace()).resource(pod).create();
        made.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .build());
        return client.pods().inNamespace(ds.getMetadata().getNamespace()).resource(made).updateStatus();
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
