package io.fleetdoctor.collector;

import io.fleetdoctor.collector.cluster.ClusterWatcher;
import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.collector.config.ConfigCheck;
import io.fleetdoctor.collector.node.NodeAgentService;
import io.fleetdoctor.collector.node.NodeAgentSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Validates the configuration at start-up (the application does not start with a bad one, and the
 * message says which key is wrong) and starts the configured mode. The other mode's bean is never
 * created, so a node agent never builds a Kubernetes client.
 */
@ApplicationScoped
public class CollectorStartup {

    @Inject
    CollectorConfig config;
    @Inject
    Instance<ClusterWatcher> clusterWatcher;
    @Inject
    Instance<NodeAgentService> nodeAgent;

    void onStart(@Observes StartupEvent event) {
        String mode = config.mode().orElse(null);
        List<String> errors = validate(config);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("invalid collector configuration:\n  - " + String.join("\n  - ", errors));
        }
        if (ConfigCheck.MODE_CLUSTER.equals(mode)) {
            clusterWatcher.get().start();
        } else {
            nodeAgent.get().start(nodeName(config));
        }
    }

    /** Every problem of the configuration, empty when it is usable. */
    public static List<String> validate(CollectorConfig config) {
        String mode = config.mode().orElse(null);
        List<String> errors = new ArrayList<>(ConfigCheck.mode(mode));
        errors.addAll(ConfigCheck.clusterId(config.clusterId().orElse(null)));
        if (config.heartbeatInterval().isNegative() || config.heartbeatInterval().isZero()) {
            errors.add("fleetdoctor.collector.heartbeat-interval must be > 0");
        }
        if (ConfigCheck.MODE_NODE.equals(mode)) {
            errors.addAll(ConfigCheck.node(nodeName(config), config.procfs(), config.sysfs()));
            if (config.interval().isNegative() || config.interval().isZero()) {
                errors.add("fleetdoctor.collector.interval must be > 0");
            }
            if (config.topN() < 0) {
                errors.add("fleetdoctor.collector.top-n must be >= 0");
            }
        }
        if (ConfigCheck.MODE_CLUSTER.equals(mode)) {
            int tail = config.cluster().logTailLines();
            if (tail < 1 || tail > 200) {
                errors.add("fleetdoctor.collector.cluster.log-tail-lines must be within 1..200, was " + tail);
            }
            if (config.cluster().logLimitBytes() < 1024) {
                errors.add("fleetdoctor.collector.cluster.log-limit-bytes must be >= 1024");
            }
        }
        return errors;
    }

    /** node-name, else the host name (in a pod that is the pod name, so set NODE_NAME there). */
    static String nodeName(CollectorConfig config) {
        return config.nodeName().filter(s -> !s.isBlank()).orElseGet(() -> NodeAgentSettings.hostName(config.procfs()));
    }
}
