package io.fleetdoctor.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.UUID;

/**
 * Where business code puts events that must leave the service: {@link #emit} writes a row in the
 * caller's transaction, so the event exists exactly when the change it describes committed, and
 * nothing is sent for a change that rolled back. The {@link OutboxRelay} delivers it after the
 * commit and retries until the destination acknowledges it.
 */
@ApplicationScoped
public class Outbox {
    @Inject
    OutboxStore store;
    @Inject
    Event<OutboxEmitted> emitted;

    /**
     * Writes the event in the current transaction (or in one of its own when there is none, for
     * messages that belong to no change, like a reply). Emitting an event that is already there
     * (same destination and natural key) changes nothing. Returns the row id.
     */
    @Transactional
    public UUID emit(OutboxEvent event) {
        if (store.insert(event)) {
            // observed after the commit: the relay sends without waiting for its next poll
            emitted.fire(new OutboxEmitted(event.destination()));
        }
        return event.id();
    }
}
