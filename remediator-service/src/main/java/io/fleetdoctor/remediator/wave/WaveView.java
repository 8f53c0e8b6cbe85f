package io.fleetdoctor.remediator.wave;

import java.time.Instant;
import java.util.List;

/**
 * A wave as the API shows it.
 *
 * @param waveHash what an approval of the wave must carry ({@link WaveService#hash}); changes when a member's plan
 *                 hash changes
 * @param fix      what every member changes ({@link FixFingerprint})
 */
public record WaveView(String id, String rule, String state, int waveSize, String canaryPlanId, String canaryCluster,
                       String waveHash, String fix, String createdBy, Instant createdAt, Instant updatedAt,
                       Instant finishedAt, String haltedReason, List<Member> members) {

    /**
     * @param wave       0 for the canary, then 1, 2, ...
     * @param heldReason why this never-released member will not run, or null
     */
    public record Member(String planId, String cluster, String clusterClass, int position, int wave, boolean released,
                         Instant releasedAt, String planState, String planHash, long approvals, int approvalsRequired,
                         String heldReason) {
    }

    /** The outcome of one member's approval inside a wave approval. */
    public record MemberApproval(String planId, String cluster, String state, Integer refusedStatus, String refused) {
    }

    /** Answer of POST /api/waves/{id}/approve: the wave afterwards and what happened per member. */
    public record Approved(WaveView wave, List<MemberApproval> approvals) {
    }
}
