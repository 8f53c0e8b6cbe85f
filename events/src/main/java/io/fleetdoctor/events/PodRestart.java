package io.fleetdoctor.events;

import java.time.Instant;

/**
 * {@code io.fleetdoctor.signal.pod-restart.v1}: a watched container's cumulative {@code restartCount},
 * sent at start-up (the baseline) and on every change.
 */
public record PodRestart(String namespace, String pod, String container, String node, String component,
                         boolean controlPlane, int restartCount, LastTermination lastTermination)
        implements EventData {

    /** From {@code lastState.terminated}; the times may be null when the kubelet does not report them. */
    public record LastTermination(String reason, Integer exitCode, Instant startedAt, Instant finishedAt) {
    }
}
