package io.fleetdoctor.remediator.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kubernetes client of a registered cluster: its kubeconfig file, else its context, else the injected
 * client (in-cluster service account or the current context). An unregistered id throws
 * {@link UnknownClusterException}: there is no default.
 */
@ApplicationScoped
public class ClusterClients {
    @Inject
    KubernetesClient defaultClient;
    @Inject
    ClusterRegistry registry;

    private final Map<String, KubernetesClient> byCluster = new ConcurrentHashMap<>();

    public KubernetesClient forCluster(String cluster) {
        RegisteredCluster c = registry.require(cluster);
        if (c.context() == null && c.kubeconfig() == null) {
            return defaultClient;
        }
        return byCluster.computeIfAbsent(c.id(), id -> new KubernetesClientBuilder().withConfig(config(c)).build());
    }

    static Config config(RegisteredCluster c) {
        if (c.kubeconfig() == null) {
            return Config.autoConfigure(c.context());
        }
        File file = new File(c.kubeconfig());
        if (!file.canRead()) {
            throw new IllegalStateException("cluster " + c.id() + ": cannot read kubeconfig " + c.kubeconfig());
        }
        return Config.fromKubeconfig(c.context(), file);
    }

    @PreDestroy
    void close() {
        byCluster.values().forEach(KubernetesClient::close);
    }
}
