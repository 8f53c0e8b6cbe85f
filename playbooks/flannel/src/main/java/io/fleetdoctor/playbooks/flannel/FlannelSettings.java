package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.playbook.PlaybookConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flannel playbook's block {@code fleetdoctor.playbooks.flannel.*} for one cluster (global values
 * with the cluster's overrides). The analyzer's rule, the remediator's fix and its verification all
 * read this one record.
 *
 * @param window           sliding event-time window of the rule
 * @param minRestarts      restart increases of the churn components within the window
 * @param churnComponents  components whose restarts count
 * @param ioBytesPerSec    read+write rate of {@code ioProcess} that counts as a spike (rule and verification)
 * @param minIoSamples     spike samples on one node within the window
 * @param ioProcess        process name whose IO is watched
 * @param minNics          physical, up interfaces with IPv4 on a node
 * @param resolveAfter     conditions false this long (event time) → resolved
 * @param knownBadVersions flannel versions to move away from
 * @param knownGoodVersion version to pin to
 * @param brokenOnKernels  version → kernel prefixes it is known to break (never proposed, blocks a plan)
 * @param verifyIoSamples  spike samples during verification that fail it
 */
public record FlannelSettings(Duration window, int minRestarts, List<String> churnComponents, double ioBytesPerSec,
                              int minIoSamples, String ioProcess, int minNics, Duration resolveAfter,
                              List<String> knownBadVersions, String knownGoodVersion,
                              Map<String, List<String>> brokenOnKernels, int verifyIoSamples) {

    public static FlannelSettings defaults() {
        return from(PlaybookConfig.of(FlannelPlaybook.ID, Map.of()), null);
    }

    public FlannelSettings {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel.window must be > 0");
        }
        if (minRestarts < 1 || minIoSamples < 1 || minNics < 1 || verifyIoSamples < 1) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel.min-restarts, min-io-samples, min-nics"
                    + " and verify-io-samples must be >= 1");
        }
        if (minIoSamples > 64) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel.min-io-samples must be <= 64");
        }
        if (ioBytesPerSec <= 0) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel.io-bytes-per-sec must be > 0");
        }
        churnComponents = List.copyOf(churnComponents);
        knownBadVersions = List.copyOf(knownBadVersions);
        brokenOnKernels = Map.copyOf(brokenOnKernels);
    }

    /** The block for a cluster (null: the global values). */
    public static FlannelSettings from(PlaybookConfig c, String cluster) {
        return new FlannelSettings(
                c.duration("window", cluster, Duration.ofMinutes(30)),
                c.integer("min-restarts", cluster, 3),
                c.list("churn-components", cluster, List.of("kube-controller-manager", "kube-scheduler")),
                c.number("io-bytes-per-sec", cluster, 10 * 1024 * 1024),
                c.integer("min-io-samples", cluster, 2),
                c.string("io-process", cluster, "flanneld"),
                c.integer("min-nics", cluster, 2),
                c.duration("resolve-after", cluster, Duration.ofMinutes(30)),
                c.list("known-bad-versions", cluster, List.of("v0.13.1-rc1")),
                c.string("known-good-version", cluster, "v0.13.0"),
                brokenOnKernels(c, c.list("broken-on-kernels", cluster, List.of("v0.18.0=3.10."))),
                c.integer("verify-io-samples", cluster, 2));
    }

    /** {@code version=kernel-prefix} entries → version → prefixes. */
    private static Map<String, List<String>> brokenOnKernels(PlaybookConfig c, List<String> entries) {
        Map<String, List<String>> broken = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException(c.name("broken-on-kernels") + ": '" + entry
                        + "' is not version=kernel-prefix");
            }
            broken.computeIfAbsent(entry.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(entry.substring(eq + 1).strip());
        }
        return broken;
    }

    /** The first of these kernels that {@code version} is known to break, or null. */
    public String brokenKernel(String version, Iterable<String> kernels) {
        if (version == null) {
            return null; // no image known (no DaemonSet): nothing to break
        }
        for (String prefix : brokenOnKernels.getOrDefault(version, List.of())) {
            for (String k : kernels) {
                if (k != null && k.startsWith(prefix)) {
                    return k;
                }
            }
        }
        return null;
    }
}
