package io.fleetdoctor.outbox;

/** Fired by {@link Outbox#emit} in the emitting transaction; the relay observes its commit. */
public record OutboxEmitted(String destination) {
}
