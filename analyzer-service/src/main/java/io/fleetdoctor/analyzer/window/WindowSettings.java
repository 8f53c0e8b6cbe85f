package io.fleetdoctor.analyzer.window;

import java.time.Duration;
import java.util.Set;

/**
 * How a cluster's window records signals.
 *
 * @param lateness          how far behind its source's newest event time an event may arrive and still count
 * @param maxFuture         how far ahead of the cluster's clock (and, in the service, of the wall clock) an
 *                          event may be; also how far behind the clock a source may be and still count for it
 * @param sourceIdle        a source not heard while another one's time moved on this much stops counting
 * @param retention         the longest window a rule looks back
 * @param watchedProcesses  process names whose IO is tracked
 * @param spikeBytesPerSec  read+write rate kept as a spike sample
 * @param spikeRing         spike samples kept per node
 * @param logMarkers        substrings of startup-log lines kept per node (the playbooks' markers)
 * @param idle              a node or container not heard for this long (cluster time) is dropped from the window;
 *                          at least twice the retention, so nothing a rule can still count goes
 */
public record WindowSettings(Duration lateness, Duration maxFuture, Duration sourceIdle, Duration retention,
                             Set<String> watchedProcesses, double spikeBytesPerSec, int spikeRing,
                             Set<String> logMarkers, Duration idle) {
    public WindowSettings(Duration lateness, Duration maxFuture, Duration sourceIdle, Duration retention,
                          Set<String> watchedProcesses, double spikeBytesPerSec, int spikeRing, Set<String> logMarkers) {
        this(lateness, maxFuture, sourceIdle, retention, watchedProcesses, spikeBytesPerSec, spikeRing, logMarkers,
                Duration.ofHours(1));
    }

    public WindowSettings {
        Duration floor = retention.multipliedBy(2).plus(lateness);
        idle = idle == null || idle.compareTo(floor) < 0 ? floor : idle;
        if (lateness.isNegative() || maxFuture.isNegative() || maxFuture.isZero() || sourceIdle.isNegative()
                || sourceIdle.isZero()) {
            throw new IllegalArgumentException("lateness must be >= 0, max-future and source-idle > 0");
        }
        watchedProcesses = Set.copyOf(watchedProcesses);
        logMarkers = Set.copyOf(logMarkers);
        if (spikeRing < 1) {
            throw new IllegalArgumentException("spikeRing must be >= 1");
        }
    }
}
