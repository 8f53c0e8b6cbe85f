package io.fleetdoctor.collector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code fleetdoctor.collector.*}. Mode and cluster id have no defaults on purpose: a collector that
 * guesses which cluster it watches publishes under the wrong key. {@link ConfigCheck} validates at
 * start-up.
 */
@ConfigMapping(prefix = "fleetdoctor.collector")
public interface CollectorConfig {

    /** {@code cluster} (watcher, one per cluster) or {@code node} (agent, DaemonSet). */
    Optional<String> mode();

    /** The cluster id: Kafka key and {@code cluster} attribute of every signal. */
    Optional<String> clusterId();

    /** Heartbeat period of either mode. */
    @WithDefault("30s")
    Duration heartbeatInterval();

    // ------------------------------------------------------------------ node mode

    /** procfs root, like node_exporter's {@code --path.procfs}. */
    @WithDefault("/proc")
    Path procfs();

    /** sysfs root, like node_exporter's {@code --path.sysfs}. */
    @WithDefault("/sys")
    Path sysfs();

    /** Node name (downward API {@code spec.nodeName} as env NODE_NAME). */
    Optional<String> nodeName();

    /** The node's InternalIP (downward API {@code status.hostIP} as env HOST_IP). */
    Optional<String> hostIp();

    /** Process IO sampling period. */
    @WithDefault("10s")
    Duration interval();

    /** How many of the busiest processes each process-io signal lists. */
    @WithDefault("10")
    int topN();

    /** Process names ({@code comm}) always listed, even when idle. */
    @WithDefault("flanneld")
    List<String> watchList();

    /** The interface inventory is re-sent at least this often even when unchanged. */
    @WithDefault("10m")
    Duration inventoryInterval();

    // ------------------------------------------------------------------ cluster mode

    Cluster cluster();

    interface Cluster {
        /** Namespace of the control-plane pods. */
        @WithDefault("kube-system")
        String controlPlaneNamespace();

        /** Informer resync period: re-delivers the cache so a missed change is seen again. */
        @WithDefault("10m")
        Duration resync();

        /** {@code tailLines} of a log fetch (at most 200, the contract's limit). */
        @WithDefault("200")
        int logTailLines();

        /** {@code limitBytes} of a log fetch. */
        @WithDefault("262144")
        int logLimitBytes();
    }
}
