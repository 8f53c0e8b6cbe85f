package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.remediator.plan.PlanTransition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** Fires PlanTransition events the way the plan service does: inside a transaction. */
@ApplicationScoped
public class TransitionFirer {

    /** Thrown to roll the transaction back. */
    public static class Boom extends RuntimeException {
        public Boom() {
            super("rolled back on purpose");
        }
    }

    @Inject
    Event<PlanTransition> events;

    @Transactional
    public void fire(PlanTransition... transitions) {
        for (PlanTransition t : transitions) {
            events.fire(t);
        }
    }

    /** Fires inside a transaction that then rolls back. */
    @Transactional
    public void fireAndRollback(PlanTransition t) {
        events.fire(t);
        throw new Boom();
    }
}
