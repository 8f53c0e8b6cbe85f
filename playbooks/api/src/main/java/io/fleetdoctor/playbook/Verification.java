package io.fleetdoctor.playbook;

import io.fleetdoctor.events.CloudEvent;

import java.time.Instant;
import java.util.List;

/**
 * How a playbook judges whether its fix worked. The remediator records every strike of a signal of
 * the plan's cluster from the moment execution started, and asks {@link #failure} with the strikes
 * seen since verification began. Pure: no I/O, no clock.
 */
public interface Verification {

    /** What this signal says against the fix applied at {@code since}, or null when nothing. */
    Strike strike(CloudEvent<?> signal, Instant since);

    /** Why the verification failed, given the strikes since it started (oldest first), or null. */
    String failure(List<Strike> strikes);

    /** What a passed verification states, for the plan's history. */
    String successText();

    /** One fact against a fix. {@code kind} groups facts that {@link #failure} counts together. */
    record Strike(String kind, Instant at, String fact) {
    }
}
