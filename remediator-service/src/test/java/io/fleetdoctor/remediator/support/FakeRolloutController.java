package io.fleetdoctor.remediator.support;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the DaemonSet controller the mock API server lacks: when a DaemonSet's generation moves
 * ahead of its observedGeneration it reports the rollout, all pods updated and ready, or, for a
 * namespace marked broken, one pod that never becomes ready.
 */
@ApplicationScoped
public class FakeRolloutController {
    public static final int NODES = 3;

    @Inject
    KubernetesClient client;

    private final Set<String> broken = ConcurrentHashMap.newKeySet();

    public void breakRollouts(String namespace) {
        broken.add(namespace);
    }

    /** A healthy, fully rolled-out status for a freshly seeded DaemonSet. */
    public DaemonSet markRolledOut(DaemonSet ds) {
        ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(ds.getMetadata().getGeneration())
                .withDesiredNumberScheduled(NODES).withCurrentNumberScheduled(NODES).withUpdatedNumberScheduled(NODES)
                .withNumberReady(NODES).withNumberAvailable(NODES).withNumberUnavailable(0).withNumberMisscheduled(0).build());
        return client.apps().daemonSets().inNamespace(ds.getMetadata().getNamespace()).resource(ds).updateStatus();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        java.util.List<DaemonSet> all;
        try {
            all = client.apps().daemonSets().inAnyNamespace().list().getItems();
        } catch (RuntimeException e) {
            return; // a test app without the mock API server
        }
        for (DaemonSet ds : all) {
            Long gen = ds.getMetadata().getGeneration();
            Long observed = ds.getStatus() == null ? null : ds.getStatus().getObservedGeneration();
            if (gen == null || Objects.equals(gen, observed)) {
                continue;
            }
            boolean fail = broken.contains(ds.getMetadata().getNamespace());
            int ready = fail ? NODES - 1 : NODES;
            ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(gen).withDesiredNumberScheduled(NODES)
                    .withCurrentNumberScheduled(NODES).withUpdatedNumberScheduled(NODES).withNumberReady(ready)
                    .withNumberAvailable(ready).withNumberUnavailable(NODES - ready).withNumberMisscheduled(0).build());
            try {
                client.apps().daemonSets().inNamespace(ds.getMetadata().getNamespace()).resource(ds).updateStatus();
            } catch (RuntimeException e) {
                // lost a race with a spec update; the next round sees the new generation
            }
        }
    }
}
