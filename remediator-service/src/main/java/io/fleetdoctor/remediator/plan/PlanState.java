package io.fleetdoctor.remediator.plan;

/** States of a remediation plan (DESIGN.md, approval gates). The transition table lives in one place. */
public enum PlanState {
    PENDING_APPROVAL, APPROVED, EXECUTING, VERIFYING, SUCCEEDED,
    REJECTED, EXPIRED, STALE, FAILED, ROLLED_BACK,
    /** The incident resolved before the plan ran. */
    CANCELLED,
    /** A newer plan of the same incident (an {@code updated} decision or an admin's rebuild) replaced it. */
    SUPERSEDED,
    /**
     * The DaemonSets are managed (Helm, Argo CD, Flux, RKE2, addon-manager, k3s): the approved change is to be
     * applied at that source; nothing was written to the cluster.
     */
    SOURCE_CHANGE_PROPOSED
}
