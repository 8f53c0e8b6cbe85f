package io.fleetdoctor.remediator.support;

import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.cluster.ClustersConfig;
import io.fleetdoctor.remediator.cluster.RegisteredCluster;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * The tests make a fresh cluster id per test (plans are per incident and cluster): every id the configuration
 * does not list is registered on the mock API server (the injected client), except ids starting with
 * {@value #UNREGISTERED}, which go to the real registry lookup and are unknown. Ids starting with {@value #CHANNEL}
 * have the Slack channel {@code #<id>}.
 */
@Alternative
@Priority(1)
@Singleton
public class TestClusterRegistry extends ClusterRegistry {
    public static final String UNREGISTERED = "unregistered-";
    public static final String CHANNEL = "chan-";

    @Inject
    public TestClusterRegistry(ClustersConfig config, RemediatorConfig remediator) {
        super(config, remediator);
    }

    @Override
    public Optional<RegisteredCluster> find(String id) {
        Optional<RegisteredCluster> configured = super.find(id);
        if (configured.isPresent() || id == null || id.startsWith(UNREGISTERED)) {
            return configured;
        }
        return Optional.of(new RegisteredCluster(id, null, null, null, List.of(), id.startsWith(CHANNEL) ? "#" + id : null));
    }
}
