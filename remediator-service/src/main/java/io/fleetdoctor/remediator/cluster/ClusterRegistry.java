package io.fleetdoctor.remediator.cluster;

import io.fleetdoctor.remediator.config.RemediatorConfig;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The clusters the remediator may touch, from {@code fleetdoctor.clusters."<id>".*}. The deprecated
 * {@code fleetdoctor.remediator.kube-contexts."<id>"} still registers a cluster by its context.
 */
@Singleton
public class ClusterRegistry {
    private static final Logger LOG = Logger.getLogger(ClusterRegistry.class);

    private final Map<String, RegisteredCluster> clusters;

    @Inject
    public ClusterRegistry(ClustersConfig config, RemediatorConfig remediator) {
        this(entries(config, remediator.kubeContexts()));
    }

    protected ClusterRegistry(Map<String, RegisteredCluster> clusters) {
        this.clusters = Collections.unmodifiableMap(new TreeMap<>(clusters));
    }

    static Map<String, RegisteredCluster> entries(ClustersConfig config, Map<String, String> kubeContexts) {
        Map<String, RegisteredCluster> out = new TreeMap<>();
        config.clusters().forEach((key, e) -> {
            String id = blank(e.id()) == null ? key : blank(e.id());
            if (out.put(id, new RegisteredCluster(id, blank(e.context()), blank(e.kubeconfig()), blank(e.clusterClass()),
                    e.owners().orElse(List.of()), blank(e.slackChannel()))) != null) {
                throw new IllegalArgumentException("fleetdoctor.clusters: cluster id " + id + " is registered twice");
            }
        });
        kubeContexts.forEach((id, context) -> {
            if (!out.containsKey(id)) {
                LOG.warnf("fleetdoctor.remediator.kube-contexts.\"%s\" is deprecated: use fleetdoctor.clusters.\"%s\".context", id, id);
                out.put(id, new RegisteredCluster(id, context, null, null, List.of(), null));
            }
        });
        return out;
    }

    private static String blank(Optional<String> s) {
        return s.filter(v -> !v.isBlank()).map(String::strip).orElse(null);
    }

    /** The registered cluster, or empty for an id nobody registered. */
    public Optional<RegisteredCluster> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(clusters.get(id));
    }

    /** The registered cluster; {@link UnknownClusterException} otherwise. */
    public RegisteredCluster require(String id) {
        return find(id).orElseThrow(() -> new UnknownClusterException(id));
    }

    /** Every configured cluster, by id. */
    public Map<String, RegisteredCluster> all() {
        return clusters;
    }
}
