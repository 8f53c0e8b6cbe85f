package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;

/**
 * A change of an incident. {@code publish} is false for evidence-only updates: they are stored, but
 * a decision goes out only when something a person acts on changed (opened, resolved, a different
 * recommendation, severity or confidence).
 */
public record EngineOutput(Kind kind, CloudEvent<Decision> event, boolean publish) {
    public enum Kind { OPEN, UPDATED, EVIDENCE, RESOLVED }

    public Decision decision() {
        return event.data();
    }

    public String cluster() {
        return event.cluster();
    }
}
