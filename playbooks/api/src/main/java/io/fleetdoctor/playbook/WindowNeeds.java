package io.fleetdoctor.playbook;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * What a playbook needs the analyzer's per-cluster window to keep; the host keeps the union of
 * every enabled playbook's needs.
 *
 * @param retention         the longest look-back of the rule (and of its resolve delay)
 * @param watchedProcesses  process names whose disk IO is tracked per node
 * @param spikeBytesPerSec  read+write rate at or above which a sample is kept as a spike
 * @param spikeRing         spike samples kept per node
 * @param logMarkers        substrings of lines the window keeps from each node's newest startup
 *                          (not {@code previous}) container log, e.g. a daemon's "using interface" line
 */
public record WindowNeeds(Duration retention, Set<String> watchedProcesses, double spikeBytesPerSec, int spikeRing,
                          Set<String> logMarkers) {
    public WindowNeeds {
        watchedProcesses = Set.copyOf(watchedProcesses);
        logMarkers = Set.copyOf(logMarkers);
        if (spikeRing < 1) {
            throw new IllegalArgumentException("spikeRing must be >= 1");
        }
    }

    /** Needs nothing beyond restarts, logs and inventories. */
    public static WindowNeeds basic(Duration retention) {
        return new WindowNeeds(retention, Set.of(), Double.MAX_VALUE, 1, Set.of());
    }

    /** Both playbooks' needs: the longer retention, every process and marker, the lower threshold. */
    public WindowNeeds merge(WindowNeeds o) {
        Set<String> procs = new HashSet<>(watchedProcesses);
        procs.addAll(o.watchedProcesses);
        Set<String> markers = new HashSet<>(logMarkers);
        markers.addAll(o.logMarkers);
        return new WindowNeeds(retention.compareTo(o.retention) >= 0 ? retention : o.retention, procs,
                Math.min(spikeBytesPerSec, o.spikeBytesPerSec), Math.max(spikeRing, o.spikeRing), markers);
    }
}
