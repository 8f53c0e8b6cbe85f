package io.fleetdoctor.remediator.plan;

/** The transition table forbids this change (answered as 409). */
public class IllegalTransitionException extends RuntimeException {
    public IllegalTransitionException(String planId, PlanState from, PlanState to) {
        super("plan " + planId + " is " + from + " and cannot become " + to);
    }
}
