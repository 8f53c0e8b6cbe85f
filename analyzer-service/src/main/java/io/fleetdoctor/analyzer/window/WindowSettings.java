package io.fleetdoctor.analyzer.window;

import java.time.Duration;
import java.util.Set;

/**
 * How a cluster's window records signals.
 *
 * @param lateness          how far behind the newest event time an event may arrive and still count
 * @param retention         the longest window a rule looks back
 * @param watchedProcesses  process names whose IO is tracked
 * @param spikeBytesPerSec  read+write rate kept as a spike sample
 * @param spikeRing         spike samples kept per node
 * @param logMarkers        substrings of startup-log lines kept per node (the playbooks' markers)
 */
public record WindowSettings(Duration lateness, Duration retention, Set<String> watchedProcesses,
                             double spikeBytesPerSec, int spikeRing, Set<String> logMarkers) {
    public WindowSettings {
        watchedProcesses = Set.copyOf(watchedProcesses);
        logMarkers = Set.copyOf(logMarkers);
        if (spikeRing < 1) {
            throw new IllegalArgumentException("spikeRing must be >= 1");
        }
    }
}
