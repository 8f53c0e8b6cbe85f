package io.fleetdoctor.remediator.api;

import io.fleetdoctor.remediator.approval.ApprovalEntity;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanHistoryEntity;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.wave.WaveMember;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.List;

/** Read side of the REST API. */
@ApplicationScoped
public class PlanQueries {

    @Transactional
    public PlanViews.Page<PlanViews.PlanSummary> list(String cluster, PlanState state, String incident, int page,
                                                      int size) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (incident != null) {
            q.append(" and incidentId = :incident");
            params.and("incident", incident);
        }
        if (cluster != null) {
            q.append(" and cluster = :cluster");
            params.and("cluster", cluster);
        }
        if (state != null) {
            q.append(" and state = :state");
            params.and("state", state);
        }
        var query = PlanEntity.<PlanEntity>find(q.toString(), Sort.descending("createdAt").and("id"), params);
        long total = query.count();
        List<PlanViews.PlanSummary> items = new ArrayList<>();
        for (PlanEntity p : query.page(page, size).list()) {
            items.add(summary(p));
        }
        return new PlanViews.Page<>(items, page, size, total);
    }

    /** The plan, or null. */
    @Transactional
    public PlanViews.PlanDetail get(String id) {
        PlanEntity p = PlanEntity.findById(id);
        if (p == null) {
            return null;
        }
        List<PlanViews.DaemonSetView> dss = new ArrayList<>();
        for (DaemonSetChange c : PlanJson.changes(p)) {
            dss.add(new PlanViews.DaemonSetView(c.namespace(), c.name(), c.resourceVersion(), c.specHash(),
                    c.afterHash(), c.diff()));
        }
        List<PlanViews.ApprovalView> approvals = new ArrayList<>();
        for (ApprovalEntity a : ApprovalEntity.ofPlan(id)) {
            approvals.add(new PlanViews.ApprovalView(a.approver, a.comment, a.channel, a.at, a.planHash.equals(p.planHash),
                    a.planHash));
        }
        List<PlanViews.HistoryView> history = new ArrayList<>();
        for (PlanHistoryEntity h : PlanHistoryEntity.ofPlan(id)) {
            history.add(new PlanViews.HistoryView(h.fromState == null ? null : h.fromState.name(), h.toState.name(),
                    h.actor, h.channel, h.reason, h.at));
        }
        return new PlanViews.PlanDetail(summary(p), p.version, p.rule, p.confidence, p.iface, p.ifaceRegex,
                p.ifaceOverride, p.diff, dss, PlanJson.checks(p), approvals, history, PlanJson.evidence(p),
                PlanJson.recommendation(p), p.approvedAt, p.executionStartedAt, p.verifyUntil, p.finishedAt,
                p.planHash, p.revision, p.supersedes,
                p.managed() ? new PlanViews.OwnerView(p.ownerManager, p.ownerEvidence, p.ownerSourceChange, p.adviceOnly())
                        : null,
                p.liveOverrideBy == null ? null
                        : new PlanViews.LiveOverrideView(p.liveOverrideBy, p.liveOverrideReason, p.liveOverrideAt),
                p.liveExecutable(), revisions(p.incidentId), waveOf(id));
    }

    private static PlanViews.WaveRef waveOf(String planId) {
        WaveMember m = WaveMember.findById(planId);
        return m == null ? null
                : new PlanViews.WaveRef(m.waveId, m.position, m.waveNo, m.releasedAt != null, m.heldReason);
    }

    private static List<PlanViews.RevisionView> revisions(String incidentId) {
        List<PlanViews.RevisionView> out = new ArrayList<>();
        for (PlanEntity r : PlanEntity.<PlanEntity>list("incidentId = ?1 order by revision", incidentId)) {
            out.add(new PlanViews.RevisionView(r.id, r.revision, r.state.name(), r.planHash, r.createdAt, r.finishedAt));
        }
        return out;
    }

    private static PlanViews.PlanSummary summary(PlanEntity p) {
        long approvals = ApprovalEntity.distinctApprovers(p.id, p.planHash);
        return new PlanViews.PlanSummary(p.id, p.incidentId, p.cluster, p.clusterClass, p.state.name(), p.summary,
                p.severity, p.needsOverride, p.blockedReason, p.approvalsRequired, approvals, p.createdAt, p.updatedAt,
                p.expiresAt, p.planHash, p.revision, p.ownerManager, p.liveExecutable());
    }
}
