package io.fleetdoctor.remediator.incident;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.remediator.fleet.FleetStatus;
import io.fleetdoctor.remediator.plan.PlanJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The incidents of the decisions received (table {@code incident}), one row per incident. A resolve keeps what the
 * incident was (summary, severity, evidence): the resolve decision carries severity "info", no evidence and a
 * "resolved, why" summary, which is kept as {@code resolveReason}. A decision older than the row's is ignored.
 */
@ApplicationScoped
public class IncidentStore {

    /**
     * @param evidenceAt    the time of the decision that brought the evidence
     * @param resolveReason the resolve decision's summary (why it resolved); null while open
     */
    public record Incident(String incidentId, String cluster, String rule, String status, String severity,
                           Double confidence, String summary, List<Decision.Evidence> evidence, Instant evidenceAt,
                           Instant openedAt,
                           Instant updatedAt, Instant resolvedAt, String resolveReason, int decisions) {
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(IncidentStore.class);

    @Inject
    EntityManager em;

    /** Applies a decision; runs in the caller's transaction (that of the decision's processed-event row). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(CloudEvent<Decision> event) {
        Decision d = event.data();
        if (d.incidentId().length() > 200 || event.cluster().length() > 63 || d.rule().length() > 100) {
            // longer than the columns (and than plan's): not shown, but never a decision the consumer cannot pass
            LOG.warnf("incident %.200s of decision %s not stored: id, cluster or rule too long", d.incidentId(), event.id());
            return;
        }
        Timestamp at = Timestamp.from(event.time());
        if (Decision.RESOLVED.equals(d.status())) {
            em.createNativeQuery("""
                    INSERT INTO remediator.incident (incident_id, cluster, rule, status, severity, confidence, summary,
                        evidence_json, evidence_at, opened_at, updated_at, resolved_at, resolve_reason, decisions)
                    VALUES (?1, ?2, ?3, 'resolved', ?4, ?5, ?6, '[]', ?7, ?7, ?7, ?7, ?6, 1)
                    ON CONFLICT (incident_id) DO UPDATE SET status = 'resolved', resolved_at = EXCLUDED.resolved_at,
                        resolve_reason = EXCLUDED.resolve_reason, updated_at = EXCLUDED.updated_at,
                        decisions = remediator.incident.decisions + 1
                    WHERE remediator.incident.updated_at <= EXCLUDED.updated_at""")
                    .setParameter(1, d.incidentId()).setParameter(2, event.cluster()).setParameter(3, d.rule())
                    .setParameter(4, d.severity()).setParameter(5, d.confidence()).setParameter(6, d.summary())
                    .setParameter(7, at).executeUpdate();
            return;
        }
        em.createNativeQuery("""
                INSERT INTO remediator.incident (incident_id, cluster, rule, status, severity, confidence, summary,
                    evidence_json, evidence_at, opened_at, updated_at, decisions)
                VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?8, ?8, 1)
                ON CONFLICT (incident_id) DO UPDATE SET status = 'open', severity = EXCLUDED.severity,
                    confidence = EXCLUDED.confidence, summary = EXCLUDED.summary, evidence_json = EXCLUDED.evidence_json,
                    evidence_at = EXCLUDED.evidence_at,
                    updated_at = EXCLUDED.updated_at, resolved_at = NULL, resolve_reason = NULL,
                    decisions = remediator.incident.decisions + 1
                WHERE remediator.incident.updated_at <= EXCLUDED.updated_at""")
                .setParameter(1, d.incidentId()).setParameter(2, event.cluster()).setParameter(3, d.rule())
                .setParameter(4, d.severity()).setParameter(5, d.confidence()).setParameter(6, d.summary())
                .setParameter(7, PlanJson.write(d.evidence())).setParameter(8, at).executeUpdate();
    }

    /** The incident, or null. */
    @Transactional
    public Incident find(String incidentId) {
        List<Incident> l = query("WHERE incident_id = ?1", incidentId, 1);
        return l.isEmpty() ? null : l.get(0);
    }

    /** A cluster's open incidents and its newest resolved ones, open first, newest first; at most {@code max}. */
    @Transactional
    public List<Incident> ofCluster(String cluster, int max) {
        return query("WHERE cluster = ?1 ORDER BY status = 'open' DESC, opened_at DESC", cluster, max);
    }

    private List<Incident> query(String where, String arg, int max) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT incident_id, cluster, rule, status, severity, confidence,"
                + " summary, evidence_json, evidence_at, opened_at, updated_at, resolved_at, resolve_reason, decisions"
                + " FROM remediator.incident " + where).setParameter(1, arg).setMaxResults(max).getResultList();
        List<Incident> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Incident((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                    r[5] == null ? null : ((Number) r[5]).doubleValue(), (String) r[6], PlanJson.evidence((String) r[7]),
                    FleetStatus.instant(r[8]), FleetStatus.instant(r[9]), FleetStatus.instant(r[10]),
                    FleetStatus.instant(r[11]), (String) r[12], ((Number) r[13]).intValue()));
        }
        return out;
    }
}
