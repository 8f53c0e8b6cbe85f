package io.fleetdoctor.remediator.fleet;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.remediator.plan.PlanJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened to a cluster or an incident, oldest first, from what the remediator stores: incidents received
 * (signals as their evidence, opened, resolved), plan history, approvals, audit (rollout, refusals) and
 * verification findings. Stages: signals, incident, plan, approval, rollout, verification.
 */
@ApplicationScoped
public class Timeline {
    public static final List<String> STAGES = List.of("signals", "incident", "plan", "approval", "rollout",
            "verification");

    public record Entry(Instant at, String stage, String what, String actor, String incidentId, String planId) {
    }

    @Inject
    EntityManager em;

    /** The newest {@code max} entries of a cluster, oldest first. */
    @Transactional
    public List<Entry> ofCluster(String cluster, int max) {
        return build("i.cluster", "p.cluster", "a.cluster", cluster, max);
    }

    /** The newest {@code max} entries of an incident, oldest first. */
    @Transactional
    public List<Entry> ofIncident(String incidentId, int max) {
        return build("i.incident_id", "p.incident_id", "p.incident_id", incidentId, max);
    }

    private List<Entry> build(String incidentCol, String planCol, String auditCol, String key, int max) {
        List<Entry> out = new ArrayList<>();
        for (Object[] r : rows("SELECT i.incident_id, i.opened_at, i.resolved_at, i.resolve_reason, i.severity,"
                + " i.summary, i.evidence_json FROM remediator.incident i WHERE " + incidentCol + " = ?1"
                + " ORDER BY i.opened_at DESC", key, max)) {
            String id = (String) r[0];
            Instant opened = FleetStatus.instant(r[1]);
            List<Decision.Evidence> ev = PlanJson.evidence((String) r[6]);
            if (!ev.isEmpty()) {
                out.add(new Entry(opened, "signals", signals(ev), null, id, null));
            }
            out.add(new Entry(opened, "incident", "opened (" + r[4] + "): " + r[5], "analyzer", id, null));
            if (r[2] != null) {
                out.add(new Entry(FleetStatus.instant(r[2]), "incident", "resolved: " + r[3], "analyzer", id, null));
            }
        }
        for (Object[] r : rows("SELECT h.at, h.from_state, h.to_state, h.actor, h.reason, p.incident_id, p.id,"
                + " p.revision FROM remediator.plan_history h JOIN remediator.plan p ON p.id = h.plan_id WHERE "
                + planCol + " = ?1 ORDER BY h.at DESC", key, max)) {
            String to = (String) r[2];
            String what = (r[1] == null ? "plan rev " + r[7] + " created: " : r[1] + " → ") + to
                    + (r[4] == null ? "" : " (" + r[4] + ")");
            out.add(new Entry(FleetStatus.instant(r[0]), stageOf((String) r[1], to), what, (String) r[3],
                    (String) r[5], (String) r[6]));
        }
        for (Object[] r : rows("SELECT a.at, a.approver, a.channel, a.comment, p.incident_id, p.id"
                + " FROM remediator.plan_approval a JOIN remediator.plan p ON p.id = a.plan_id WHERE " + planCol
                + " = ?1 ORDER BY a.at DESC", key, max)) {
            out.add(new Entry(FleetStatus.instant(r[0]), "approval", "approved via " + r[2]
                    + (r[3] == null ? "" : ": " + r[3]), (String) r[1], (String) r[4], (String) r[5]));
        }
        // approvals are listed above; the rest of the audit tells rollout, refusals and silences
        for (Object[] r : rows("SELECT a.at, a.actor, a.action, a.detail, p.incident_id, a.plan_id"
                + " FROM remediator.audit_log a LEFT JOIN remediator.plan p ON p.id = a.plan_id WHERE " + auditCol
                + " = ?1 AND a.action NOT IN ('approve', 'approve-again') ORDER BY a.at DESC", key, max)) {
            String action = (String) r[2];
            out.add(new Entry(FleetStatus.instant(r[0]), auditStage(action),
                    action + (r[3] == null ? "" : ": " + r[3]), (String) r[1], (String) r[4], (String) r[5]));
        }
        for (Object[] r : rows("SELECT f.at, f.kind, f.fact, p.incident_id, p.id FROM remediator.verification_finding f"
                + " JOIN remediator.plan p ON p.id = f.plan_id WHERE " + planCol + " = ?1 ORDER BY f.at DESC", key, max)) {
            out.add(new Entry(FleetStatus.instant(r[0]), "verification", r[1] + ": " + r[2], "verifier",
                    (String) r[3], (String) r[4]));
        }
        out.sort(Comparator.comparing(Entry::at).thenComparing(e -> STAGES.indexOf(e.stage())));
        return out.size() <= max ? out : List.copyOf(out.subList(out.size() - max, out.size()));
    }

    /** "2 facts: pod-restart ×1 (master01), process-io ×1 (master01)". */
    static String signals(List<Decision.Evidence> ev) {
        Map<String, List<String>> byType = new TreeMap<>();
        for (Decision.Evidence e : ev) {
            String t = String.valueOf(e.type()).replaceFirst("^io\\.fleetdoctor\\.signal\\.", "").replaceFirst("\\.v\\d+$", "");
            byType.computeIfAbsent(t, k -> new ArrayList<>()).add(e.node());
        }
        java.util.StringJoiner kinds = new java.util.StringJoiner(", ");
        byType.forEach((t, nodes) -> {
            List<String> distinct = nodes.stream().filter(java.util.Objects::nonNull).distinct().toList();
            kinds.add(t + " ×" + nodes.size() + (distinct.isEmpty() ? ""
                    : " (" + (distinct.size() > 3 ? distinct.size() + " nodes" : String.join(", ", distinct)) + ")"));
        });
        return ev.size() + (ev.size() == 1 ? " fact: " : " facts: ") + kinds;
    }

    static String stageOf(String from, String to) {
        return switch (to) {
            case "APPROVED" -> "approval";
            case "EXECUTING", "ROLLED_BACK" -> "rollout";
            case "VERIFYING", "SUCCEEDED" -> "verification";
            case "FAILED" -> "VERIFYING".equals(from) ? "verification" : "rollout";
            default -> "plan";
        };
    }

    static String auditStage(String action) {
        return switch (action) {
            case "silenced", "incident-resolved", "evidence-refreshed", "storm:paused" -> "incident";
            case "apply", "rollout-progress", "rollback-started", "rollback-stopped", "lease-takeover" -> "rollout";
            default -> "plan";
        };
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> rows(String sql, String key, int max) {
        return em.createNativeQuery(sql).setParameter(1, key).setMaxResults(max).getResultList();
    }
}
