package io.fleetdoctor.remediator.api;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.fix.PlanCheck;

import java.time.Instant;
import java.util.List;

/** REST representations (never the entities themselves). */
public final class PlanViews {
    private PlanViews() {
    }

    public record PlanSummary(String id, String incidentId, String cluster, String clusterClass, String state,
                              String summary, String severity, boolean needsIfaceOverride, String blockedReason,
                              int approvalsRequired, long approvals, Instant createdAt, Instant updatedAt,
                              Instant expiresAt) {
    }

    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    public record DaemonSetView(String namespace, String name, String resourceVersion, String specHash,
                                String afterHash, String diff) {
    }

    public record ApprovalView(String approver, String comment, String channel, Instant at, boolean current) {
    }

    public record HistoryView(String from, String to, String actor, String channel, String reason, Instant at) {
    }

    public record PlanDetail(PlanSummary plan, long version, String rule, Double confidence, String iface,
                             String ifaceRegex, String ifaceOverride, String diff, List<DaemonSetView> daemonSets,
                             List<PlanCheck> checks, List<ApprovalView> approvalList, List<HistoryView> history,
                             List<Decision.Evidence> evidence, Decision.Recommendation recommendation,
                             Instant approvedAt, Instant executionStartedAt, Instant verifyUntil, Instant finishedAt) {
    }

    /** Body of POST /api/plans/{id}/approve. */
    public record ApproveRequest(String comment, String iface) {
    }

    /** Body of POST /api/plans/{id}/reject. */
    public record RejectRequest(String reason) {
    }

    public record StateView(String id, String state) {
    }
}
