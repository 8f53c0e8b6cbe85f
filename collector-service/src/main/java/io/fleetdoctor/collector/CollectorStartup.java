package io.fleetdoctor.collector;

import io.fleetdoctor.collector.cluster.ClusterWatcher;
import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.collector.config.ConfigCheck;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Validates the configuration at start-up (the application does not start with a bad one, and the message says which
 * key is wrong) and starts the cluster watcher. The node agent is not this application: it is the plain-Java
 * {@code io.fleetdoctor.collector.node.NodeAgentMain} (README.md, "Node agent").
 */
@ApplicationScoped
public class CollectorStartup {

    @Inject
    CollectorConfig config;
    @Inject
    ClusterWatcher clusterWatcher;

    void onStart(@Observes StartupEvent event) {
        List<String> errors = validate(config);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("invalid collector configuration:\n  - " + String.join("\n  - ", errors));
        }
        clusterWatcher.start();
    }

    /** Every problem of the configuration, empty when it is usable. */
    public static List<String> validate(CollectorConfig config) {
        List<String> errors = new ArrayList<>(ConfigCheck.mode(config.mode().orElse(null)));
        errors.addAll(ConfigCheck.clusterId(config.clusterId().orElse(null)));
        if (config.heartbeatInterval().isNegative() || config.heartbeatInterval().isZero()) {
            errors.add("fleetdoctor.collector.heartbeat-interval must be > 0");
        }
        int tail = config.cluster().logTailLines();
        if (tail < 1 || tail > 200) {
            errors.add("fleetdoctor.collector.cluster.log-tail-lines must be within 1..200, was " + tail);
        }
        if (config.cluster().logLimitBytes() < 1024) {
            errors.add("fleetdoctor.collector.cluster.log-limit-bytes must be >= 1024");
        }
        return errors;
    }
}
