package io.fleetdoctor.remediator.guard;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.notify.PlanTransitionNotifier;
import io.fleetdoctor.remediator.notify.SlackMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import io.fleetdoctor.remediator.fleet.FleetStatus;
import org.jboss.logging.Logger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The storm guard: when one rule opens on more than {@code storm.clusters} clusters within {@code storm.window}
 * (default 3 in 10 minutes), the same fix is about to be applied across the fleet at once, which is how a wrong
 * rule or a wrong fix becomes a fleet outage. Execution of that rule pauses fleet-wide (plans are still built and
 * may be approved; none starts), one storm groups the incidents, the admins are told in Slack, and an admin
 * resumes. Counting starts again after a resume.
 */
@ApplicationScoped
public class StormGuard {
    private static final Logger LOG = Logger.getLogger(StormGuard.class);

    public record Storm(String id, String rule, Instant startedAt, Instant windowFrom, boolean active, String resumedBy,
                        Instant resumedAt, String reason, List<String> clusters, List<String> incidents) {
    }

    @Inject
    EntityManager em;
    @Inject
    RemediatorConfig config;
    @Inject
    AuditLog audit;
    @Inject
    PlanTransitionNotifier notifier;

    /** Records an `open` decision; starts a storm when the rule crosses the threshold. In the caller's transaction. */
    public void onOpen(String rule, String cluster, String incidentId) {
        Instant now = Instant.now();
        em.createNativeQuery("INSERT INTO remediator.storm_open (rule, cluster, incident_id, at) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, rule).setParameter(2, cluster).setParameter(3, incidentId)
                .setParameter(4, Timestamp.from(now)).executeUpdate();
        if (activeStorm(rule) != null) {
            return; // already paused: the incident joins the storm's group
        }
        Instant from = now.minus(config.storm().window());
        Object lastResume = single("SELECT max(resumed_at) FROM remediator.storm WHERE rule = ?1", rule);
        Instant resumed = FleetStatus.instant(lastResume);
        if (resumed != null && resumed.isAfter(from)) {
            from = resumed;
        }
        long clusters = ((Number) em.createNativeQuery("SELECT count(DISTINCT cluster) FROM remediator.storm_open"
                        + " WHERE rule = ?1 AND at >= ?2").setParameter(1, rule).setParameter(2, Timestamp.from(from))
                .getSingleResult()).longValue();
        int threshold = config.storm().ruleClusters().getOrDefault(rule, config.storm().clusters());
        if (clusters <= threshold) {
            return;
        }
        String id = UUID.randomUUID().toString();
        int stored = em.createNativeQuery("INSERT INTO remediator.storm (id, rule, started_at, window_from)"
                        + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING")
                .setParameter(1, id).setParameter(2, rule).setParameter(3, Timestamp.from(now))
                .setParameter(4, Timestamp.from(from)).executeUpdate();
        if (stored != 1) {
            return; // another instance started this storm at the same time: it audits and notifies
        }
        String text = rule + " opened on " + clusters + " clusters within " + config.storm().window().toMinutes()
                + " min (more than " + threshold + "): execution of " + rule
                + " is paused fleet-wide; plans are still built and may be approved; an admin resumes (POST /api/storms/"
                + id + "/resume)";
        audit.record("system", "system", "storm:paused", null, null, text);
        notifier.adminNotice("storm", id, id + "|paused", SlackMessages.notice("storm_paused",
                ":thunder_cloud_and_rain: Storm guard: " + rule + " paused fleet-wide", notifier.adminMentions(), text));
        LOG.warnf("STORM %s", text);
    }

    /** Rules whose execution is paused by a storm. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Set<String> pausedRules() {
        return new TreeSet<>(em.createNativeQuery("SELECT rule FROM remediator.storm WHERE resumed_at IS NULL")
                .getResultList());
    }

    @Transactional
    public List<Storm> storms() {
        List<Storm> out = new ArrayList<>();
        for (Object o : em.createNativeQuery("SELECT id FROM remediator.storm ORDER BY started_at DESC LIMIT 50")
                .getResultList()) {
            out.add(storm((String) o));
        }
        return out;
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Storm storm(String id) {
        List<Object[]> rows = em.createNativeQuery("SELECT id, rule, started_at, window_from, resumed_by, resumed_at,"
                + " reason FROM remediator.storm WHERE id = ?1").setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = rows.get(0);
        Instant resumedAt = FleetStatus.instant(r[5]);
        // the group: every cluster and incident the rule opened on from the window's start until the resume
        jakarta.persistence.Query q = em.createNativeQuery("SELECT cluster, incident_id FROM remediator.storm_open"
                        + " WHERE rule = ?1 AND at >= ?2" + (r[5] == null ? "" : " AND at <= ?3") + " ORDER BY at")
                .setParameter(1, r[1]).setParameter(2, r[3]);
        if (r[5] != null) {
            q.setParameter(3, r[5]);
        }
        List<Object[]> opens = q.getResultList();
        Set<String> clusters = new TreeSet<>();
        Set<String> incidents = new TreeSet<>();
        for (Object[] o : opens) {
            clusters.add((String) o[0]);
            incidents.add((String) o[1]);
        }
        return new Storm((String) r[0], (String) r[1], FleetStatus.instant(r[2]), FleetStatus.instant(r[3]),
                resumedAt == null, (String) r[4], resumedAt, (String) r[6], List.copyOf(clusters), List.copyOf(incidents));
    }

    /** An admin resumes the rule; returns false when the storm is unknown or no longer active. */
    @Transactional
    public boolean resume(String id, String actor, String channel, String reason) {
        int n = em.createNativeQuery("UPDATE remediator.storm SET resumed_by = ?2, resumed_at = ?3, reason = ?4"
                        + " WHERE id = ?1 AND resumed_at IS NULL").setParameter(1, id).setParameter(2, actor)
                .setParameter(3, Timestamp.from(Instant.now())).setParameter(4, reason).executeUpdate();
        if (n == 1) {
            audit.record(actor, channel, "storm:resume", null, null, "storm " + id + ": " + reason);
        }
        return n == 1;
    }

    private String activeStorm(String rule) {
        Object id = single("SELECT id FROM remediator.storm WHERE rule = ?1 AND resumed_at IS NULL", rule);
        return (String) id;
    }

    private Object single(String sql, String rule) {
        List<?> l = em.createNativeQuery(sql).setParameter(1, rule).getResultList();
        return l.isEmpty() ? null : l.get(0);
    }
}
