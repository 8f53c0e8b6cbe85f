package io.fleetdoctor.collector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code fleetdoctor.collector.*}. Mode and cluster id have no defaults on purpose: a collector that
 * guesses which cluster it watches publishes under the wrong key. {@link ConfigCheck} validates at
 * start-up.
 */
@ConfigMapping(prefix = "fleetdoctor.collector")
public interface CollectorConfig {

    /** {@code cluster}, the only mode of this application (the node agent is NodeAgentMain, configured by NodeAgentEnv). */
    Optional<String> mode();

    /** The cluster id: Kafka key and {@code cluster} attribute of every signal. */
    Optional<String> clusterId();

    /** Heartbeat period. */
    @WithDefault("30s")
    Duration heartbeatInterval();

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
