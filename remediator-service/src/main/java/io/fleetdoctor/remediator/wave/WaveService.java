package io.fleetdoctor.remediator.wave;

import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.approval.ApprovalEntity;
import io.fleetdoctor.remediator.approval.ApprovalGate;
import io.fleetdoctor.remediator.approval.ApprovalRefusedException;
import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Creates, reads and approves canary waves. A wave groups PENDING_APPROVAL plans of distinct clusters that make the
 * same fix ({@link FixFingerprint}); approving it approves each member through the {@link ApprovalGate}, so every
 * cluster's class policy and audit apply per plan. Releasing members is {@link WaveAdvancer}'s job.
 */
@ApplicationScoped
public class WaveService {
    public static final int MAX_MEMBERS = 200;
    public static final int MAX_SIZE = 100;

    @Inject
    ApprovalGate gate;
    @Inject
    AuditLog audit;
    @Inject
    RemediatorConfig config;

    /** Refusals carry their HTTP status (400 bad input, 404 unknown wave, 409 state or content). */
    static ApprovalRefusedException refused(int status, String detail) {
        return new ApprovalRefusedException(status, detail);
    }

    /**
     * Creates a wave of {@code planIds}: the plan of {@code canaryCluster} (default: the first plan) is the canary,
     * the others follow in request order in waves of {@code size} (default {@code wave.default-size}).
     */
    public WaveView create(List<String> planIds, String canaryCluster, Integer size, String who, String channel) {
        int waveSize = size == null ? config.wave().defaultSize() : size;
        if (waveSize < 1 || waveSize > MAX_SIZE) {
            throw refused(400, "waveSize must be between 1 and " + MAX_SIZE);
        }
        if (planIds == null || planIds.size() < 2 || planIds.size() > MAX_MEMBERS) {
            throw refused(400, "plans: 2 to " + MAX_MEMBERS + " plan ids (a canary and at least one more)");
        }
        if (new HashSet<>(planIds).size() != planIds.size()) {
            throw refused(400, "plans: a plan id is listed twice");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            List<PlanEntity> plans = new ArrayList<>();
            for (String id : planIds) {
                // locked: no approval or rebuild changes a member while the wave is made
                PlanEntity p = PlanEntity.findById(id, LockModeType.PESSIMISTIC_WRITE);
                if (p == null) {
                    throw refused(400, "plans: no plan " + id);
                }
                plans.add(p);
            }
            Set<String> clusters = new HashSet<>();
            for (PlanEntity p : plans) {
                if (!clusters.add(p.cluster)) {
                    throw refused(400, "plans: two plans for cluster " + p.cluster + "; a wave has one plan per cluster");
                }
            }
            int canaryIndex = 0;
            if (canaryCluster != null && !canaryCluster.isBlank()) {
                canaryIndex = -1;
                for (int i = 0; i < plans.size(); i++) {
                    if (plans.get(i).cluster.equals(canaryCluster.trim())) {
                        canaryIndex = i;
                    }
                }
                if (canaryIndex < 0) {
                    throw refused(400, "canaryCluster: " + canaryCluster + " is not the cluster of any listed plan");
                }
            }
            List<PlanEntity> ordered = new ArrayList<>(plans);
            ordered.add(0, ordered.remove(canaryIndex));
            String fix = null;
            PlanEntity first = ordered.get(0);
            for (PlanEntity p : ordered) {
                if (p.state != PlanState.PENDING_APPROVAL) {
                    throw refused(409, "plan " + p.id + " (" + p.cluster + ") is " + p.state + ", not PENDING_APPROVAL");
                }
                if (!p.liveExecutable()) {
                    throw refused(409, "plan " + p.id + " (" + p.cluster + ") is managed by " + p.ownerManager
                            + " without a live override: it is not executed live, so it cannot be in a wave");
                }
                if (p.blockedReason != null || p.needsOverride) {
                    throw refused(409, "plan " + p.id + " (" + p.cluster + ") is blocked or needs an interface override");
                }
                if (WaveMember.findById(p.id) != null) {
                    throw refused(409, "plan " + p.id + " (" + p.cluster + ") is already in a wave");
                }
                String f = FixFingerprint.of(p);
                if (fix == null) {
                    fix = f;
                } else if (!fix.equals(f)) {
                    throw refused(409, "plan " + p.id + " (" + p.cluster + ") makes another change than the canary "
                            + first.id + " (" + first.cluster + "): a wave carries one fix.\ncanary:\n" + fix + "this plan:\n" + f);
                }
            }
            Instant now = Instant.now();
            WaveEntity w = new WaveEntity();
            w.id = UUID.randomUUID().toString();
            w.rule = first.rule;
            w.fix = fix;
            w.waveSize = waveSize;
            w.state = WaveState.RUNNING;
            w.createdBy = who;
            w.createdAt = now;
            w.updatedAt = now;
            w.persist();
            for (int i = 0; i < ordered.size(); i++) {
                WaveMember m = new WaveMember();
                m.planId = ordered.get(i).id;
                m.waveId = w.id;
                m.cluster = ordered.get(i).cluster;
                m.position = i;
                m.waveNo = i == 0 ? 0 : 1 + (i - 1) / waveSize;
                m.persist();
                audit.record(who, channel, "wave-member", m.planId, m.cluster, "wave " + w.id + ", "
                        + (i == 0 ? "canary" : "wave " + m.waveNo));
            }
            audit.record(who, channel, "wave-created", first.id, first.cluster, "wave " + w.id + " of " + ordered.size()
                    + " plans (" + w.rule + "), canary " + first.cluster + ", waves of " + waveSize);
            WaveEntity.flush();
            return view(w);
        });
    }

    public List<WaveView> list() {
        return QuarkusTransaction.requiringNew().call(() -> WaveEntity.<WaveEntity>find("order by createdAt desc")
                .page(0, 100).list().stream().map(this::view).toList());
    }

    public WaveView get(String id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            WaveEntity w = WaveEntity.findById(id);
            return w == null ? null : view(w);
        });
    }

    /**
     * Approves every member still PENDING_APPROVAL as {@code who}, each through the approval gate with the plan hash
     * the wave hash covers. The wave hash must be the current one (a member changed since: 409, nothing approved).
     * A member the gate refuses is reported and the others are still approved: each approval stands on its own.
     */
    public WaveView.Approved approve(String id, Approver who, String comment, String waveHash, String channel) {
        if (waveHash == null || waveHash.isBlank()) {
            throw refused(400, "waveHash is required: the hash of the wave you reviewed (waveHash of GET /api/waves/" + id + ")");
        }
        List<String[]> pending = QuarkusTransaction.requiringNew().call(() -> {
            WaveEntity w = WaveEntity.findById(id, LockModeType.PESSIMISTIC_WRITE);
            if (w == null) {
                throw refused(404, "no wave " + id);
            }
            if (w.state != WaveState.RUNNING) {
                throw refused(409, "wave " + id + " is " + w.state + ": nothing more to approve");
            }
            Map<String, PlanEntity> plans = plans(WaveMember.of(id));
            String current = hash(w, WaveMember.of(id), plans);
            if (!current.equals(waveHash.trim())) {
                throw refused(409, "wave " + id + " changed since you reviewed it: you sent wave hash " + waveHash.trim()
                        + ", it is now " + current + "; review it again");
            }
            List<String[]> out = new ArrayList<>();
            for (WaveMember m : WaveMember.of(id)) {
                PlanEntity p = plans.get(m.planId);
                if (p.state == PlanState.PENDING_APPROVAL) {
                    out.add(new String[]{p.id, p.cluster, p.planHash});
                }
            }
            if (out.isEmpty()) {
                throw refused(409, "no plan of wave " + id + " awaits approval");
            }
            return out;
        });
        String text = "wave " + id + (comment == null || comment.isBlank() ? "" : ": " + comment);
        List<WaveView.MemberApproval> results = new ArrayList<>();
        for (String[] m : pending) {
            try {
                PlanState s = gate.approve(m[0], who, text, null, m[2], channel);
                results.add(new WaveView.MemberApproval(m[0], m[1], s.name(), null, null));
            } catch (ApprovalRefusedException e) {
                if (e.status() == 401 || e.status() == 403) {
                    throw e; // the person may not approve at all: nothing was recorded
                }
                results.add(new WaveView.MemberApproval(m[0], m[1], null, e.status(), e.getMessage()));
            }
        }
        QuarkusTransaction.requiringNew().run(() -> audit.record(who.name(), channel, "wave-approve", null, null,
                text + " (wave hash " + waveHash.trim() + "): " + results.stream()
                        .map(r -> r.cluster() + " " + (r.state() != null ? r.state() : "refused " + r.refusedStatus()))
                        .collect(Collectors.joining(", "))));
        return new WaveView.Approved(get(id), results);
    }

    /**
     * What a wave approval must carry: SHA-256 over the wave id, its size and each member's position, cluster, plan id
     * and current plan hash. Another plan hash of a member (an interface override) gives another wave hash.
     */
    static String hash(WaveEntity w, List<WaveMember> members, Map<String, PlanEntity> plans) {
        StringBuilder s = new StringBuilder("fleetdoctor-wave-hash-v1\nwave ").append(w.id).append(" size ")
                .append(w.waveSize).append('\n');
        for (WaveMember m : members) {
            s.append("member ").append(m.position).append(' ').append(m.cluster).append(' ').append(m.planId).append(' ')
                    .append(plans.get(m.planId).planHash).append('\n');
        }
        return SpecJson.sha256(s.toString());
    }

    static Map<String, PlanEntity> plans(List<WaveMember> members) {
        return PlanEntity.<PlanEntity>list("id in ?1", members.stream().map(m -> m.planId).toList()).stream()
                .collect(Collectors.toMap(p -> p.id, Function.identity()));
    }

    WaveView view(WaveEntity w) {
        List<WaveMember> members = WaveMember.of(w.id);
        Map<String, PlanEntity> plans = plans(members);
        List<WaveView.Member> out = new ArrayList<>();
        for (WaveMember m : members) {
            PlanEntity p = plans.get(m.planId);
            out.add(new WaveView.Member(m.planId, m.cluster, p.clusterClass, m.position, m.waveNo, m.releasedAt != null,
                    m.releasedAt, p.state.name(), p.planHash, ApprovalEntity.distinctApprovers(p.id, p.planHash),
                    p.approvalsRequired, m.heldReason));
        }
        WaveMember canary = members.get(0);
        return new WaveView(w.id, w.rule, w.state.name(), w.waveSize, canary.planId, canary.cluster,
                hash(w, members, plans), w.fix, w.createdBy, w.createdAt, w.updatedAt, w.finishedAt, w.haltedReason, out);
    }
}
