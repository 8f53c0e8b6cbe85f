package io.fleetdoctor.remediator.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kubernetes client for a cluster id: a kubeconfig context from
 * {@code fleetdoctor.remediator.kube-contexts.<cluster>}, else the injected client (in-cluster or the
 * current context).
 */
@ApplicationScoped
public class ClusterClients {
    @Inject
    KubernetesClient defaultClient;
    @Inject
    RemediatorConfig config;

    private final Map<String, KubernetesClient> byContext = new ConcurrentHashMap<>();

    public KubernetesClient forCluster(String cluster) {
        String context = config.kubeContexts().get(cluster);
        if (context == null) {
            return defaultClient;
        }
        return byContext.computeIfAbsent(context,
                c -> new KubernetesClientBuilder().withConfig(Config.autoConfigure(c)).build());
    }

    @PreDestroy
    void close() {
        byContext.values().forEach(KubernetesClient::close);
    }
}
