package io.fleetdoctor.remediator.plan;

/** States of a remediation plan (DESIGN.md, approval gates). The transition table lives in one place. */
public enum PlanState {
    PENDING_APPROVAL, APPROVED, EXECUTING, VERIFYING, SUCCEEDED,
    REJECTED, EXPIRED, STALE, FAILED, ROLLED_BACK,
    /** The incident resolved before the plan ran. */
    CANCELLED
}
