package io.fleetdoctor.events;

import java.time.Instant;

/** {@code io.fleetdoctor.remediation.v1}: one state change of a remediation plan. */
public record Remediation(String planId, String incidentId, String state, String previousState, String actor,
                         String reason, Instant at) implements EventData {
}
