package io.fleetdoctor.analyzer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fleetdoctor.analyzer.*}: the rules that run and their thresholds, globally and per cluster
 * ({@code fleetdoctor.analyzer.clusters."<id>".flannel-iface.*}). The same mapping is read by the
 * service and by {@code fleetdoctor replay}, so both run the same rule configuration.
 */
@ConfigMapping(prefix = "fleetdoctor.analyzer")
public interface AnalyzerConfig {

    /** Rule ids to run. */
    @WithDefault("flannel-iface")
    List<String> rules();

    /** How far behind the newest event time of a cluster an event may arrive and still count. */
    @WithDefault("60s")
    Duration lateness();

    FlannelIface flannelIface();

    /** Per-cluster overrides; any key left out takes the global value. */
    Map<String, ClusterOverrides> clusters();

    interface FlannelIface {
        @WithDefault("30m")
        Duration window();

        @WithDefault("3")
        int minRestarts();

        @WithDefault("kube-controller-manager,kube-scheduler")
        List<String> churnComponents();

        /** 10 MiB/s. */
        @WithDefault("10485760")
        double ioBytesPerSec();

        @WithDefault("2")
        int minIoSamples();

        @WithDefault("flanneld")
        String ioProcess();

        @WithDefault("2")
        int minNics();

        @WithDefault("30m")
        Duration resolveAfter();

        @WithDefault("v0.13.1-rc1")
        List<String> knownBadVersions();

        @WithDefault("v0.13.0")
        String knownGoodVersion();

        /** Target version → kernel prefixes it breaks, e.g. {@code v0.18.0=3.10.}. */
        @WithDefault("v0.18.0=3.10.")
        List<String> brokenOnKernels();
    }

    interface ClusterOverrides {
        Optional<FlannelIfaceOverrides> flannelIface();
    }

    interface FlannelIfaceOverrides {
        Optional<Duration> window();

        Optional<Integer> minRestarts();

        Optional<Double> ioBytesPerSec();

        Optional<Integer> minIoSamples();

        Optional<Integer> minNics();

        Optional<Duration> resolveAfter();

        Optional<List<String>> knownBadVersions();

        Optional<String> knownGoodVersion();
    }
}
