package io.fleetdoctor.remediator.api;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.fix.PlanCheck;

import java.time.Instant;
import java.util.List;

/** REST representations (never the entities themselves). */
public final class PlanViews {
    private PlanViews() {
    }

    /**
     * @param planHash      what an approval must carry ({@code PlanHash})
     * @param revision      1 for the incident's first plan, then one more per rebuild
     * @param managedBy     the DaemonSets' owner (helm, argocd, flux, ...), null when nobody is detected
     * @param liveExecutable whether approval leads to a live change (false: managed, no admin live override)
     */
    public record PlanSummary(String id, String incidentId, String cluster, String clusterClass, String state,
                              String summary, String severity, boolean needsIfaceOverride, String blockedReason,
                              int approvalsRequired, long approvals, Instant createdAt, Instant updatedAt,
                              Instant expiresAt, String planHash, int revision, String managedBy,
                              boolean liveExecutable) {
    }

    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    public record DaemonSetView(String namespace, String name, String resourceVersion, String specHash,
                                String afterHash, String diff) {
    }

    /** @param current whether it approved the plan's current hash (only those count) */
    public record ApprovalView(String approver, String comment, String channel, Instant at, boolean current,
                               String planHash) {
    }

    /** Who manages the DaemonSets and the change proposed at that source. */
    public record OwnerView(String manager, String evidence, String sourceChange, boolean adviceOnly) {
    }

    public record LiveOverrideView(String by, String reason, Instant at) {
    }

    /** One plan of the same incident. */
    public record RevisionView(String id, int revision, String state, String planHash, Instant createdAt,
                               Instant finishedAt) {
    }

    public record HistoryView(String from, String to, String actor, String channel, String reason, Instant at) {
    }

    public record PlanDetail(PlanSummary plan, long version, String rule, Double confidence, String iface,
                             String ifaceRegex, String ifaceOverride, String diff, List<DaemonSetView> daemonSets,
                             List<PlanCheck> checks, List<ApprovalView> approvalList, List<HistoryView> history,
                             List<Decision.Evidence> evidence, Decision.Recommendation recommendation,
                             Instant approvedAt, Instant executionStartedAt, Instant verifyUntil, Instant finishedAt,
                             String planHash, int revision, String supersedes, OwnerView owner,
                             LiveOverrideView liveOverride, boolean liveExecutable, List<RevisionView> incidentPlans,
                             WaveRef wave) {
    }

    /**
     * The canary wave the plan belongs to, or null (PlanDetail.wave).
     *
     * @param wave       0 for the canary's wave, then 1, 2, ...
     * @param heldReason why the plan will not be released (its wave halted), or null
     */
    public record WaveRef(String id, int position, int wave, boolean released, String heldReason) {
    }

    /** Body of POST /api/plans/{id}/approve; {@code planHash} is required. */
    public record ApproveRequest(String comment, String iface, String planHash) {
    }

    /** Body of the admin's rebuild: why. */
    public record RebuildRequest(String reason) {
    }

    /** Body of POST /api/plans/{id}/live-override: why, and the plan hash the admin reviewed. */
    public record LiveOverrideRequest(String reason, String planHash) {
    }

    /** Body of POST /api/plans/{id}/reject. */
    public record RejectRequest(String reason) {
    }

    public record StateView(String id, String state) {
    }
}
