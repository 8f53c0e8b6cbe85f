package io.fleetdoctor.analyzer.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Thresholds of the flannel-iface rule (DESIGN.md), one instance per cluster after overrides.
 *
 * @param window             sliding event-time window
 * @param minRestarts        restart increases of the churn components within the window
 * @param churnComponents    components whose restarts count
 * @param ioBytesPerSec      read+write rate of a watched process that counts as a spike
 * @param minIoSamples       spike samples on one node within the window
 * @param ioProcess          process name whose IO is watched
 * @param minNics            physical, up interfaces with IPv4 on a node
 * @param resolveAfter       conditions false this long (event time) → resolved
 * @param knownBadVersions   flannel versions to move away from
 * @param knownGoodVersion   version to pin to
 * @param brokenOnKernels    target version → kernel prefixes it is known to break (never proposed there)
 */
public record FlannelIfaceSettings(Duration window, int minRestarts, List<String> churnComponents,
                                   double ioBytesPerSec, int minIoSamples, String ioProcess, int minNics,
                                   Duration resolveAfter, List<String> knownBadVersions, String knownGoodVersion,
                                   Map<String, List<String>> brokenOnKernels) {

    public static FlannelIfaceSettings defaults() {
        return new FlannelIfaceSettings(Duration.ofMinutes(30), 3,
                List.of("kube-controller-manager", "kube-scheduler"), 10 * 1024 * 1024, 2, "flanneld", 2,
                Duration.ofMinutes(30), List.of("v0.13.1-rc1"), "v0.13.0", Map.of("v0.18.0", List.of("3.10.")));
    }

    public FlannelIfaceSettings {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("flannel-iface window must be > 0");
        }
        if (minRestarts < 1 || minIoSamples < 1 || minNics < 1) {
            throw new IllegalArgumentException("flannel-iface min-restarts, min-io-samples and min-nics must be >= 1");
        }
        if (minIoSamples > 64) {
            throw new IllegalArgumentException("flannel-iface min-io-samples must be <= 64");
        }
        if (ioBytesPerSec <= 0) {
            throw new IllegalArgumentException("flannel-iface io-bytes-per-sec must be > 0");
        }
        churnComponents = List.copyOf(churnComponents);
        knownBadVersions = List.copyOf(knownBadVersions);
        brokenOnKernels = Map.copyOf(brokenOnKernels);
    }
}
