package io.fleetdoctor.analyzer.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;

/**
 * Stores what the engine decided. Idempotent by key: the partial unique index allows one open
 * incident per (cluster, rule), and {@code (incident_id, seq)} one row per decision, so redelivery
 * or a second analyzer instance never duplicates anything. Returns the decision to publish, or null.
 */
@ApplicationScoped
public class IncidentService {
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper json;

    private final Counter opened;

    @Inject
    public IncidentService(MeterRegistry registry) {
        this.opened = Counter.builder("fleetdoctor.incidents.opened").description("Incidents opened").register(registry);
    }

    /** A committed decision waiting for the broker. */
    public record Outgoing(String incidentId, int seq, String cluster, byte[] payload) {
    }

    @Transactional
    public Outgoing apply(EngineOutput o) {
        Decision d = o.decision();
        int seq = seqOf(o);
        Instant time = o.event().time();
        IncidentEntity incident = IncidentEntity.findById(d.incidentId());
        if (o.kind() == EngineOutput.Kind.OPEN) {
            if (incident != null) {
                return null; // redelivered: already stored
            }
            int inserted = em.createNativeQuery("""
                    insert into incident (incident_id, cluster, rule, status, severity, confidence, summary, evidence,
                                          recommendation, opened_at, updated_at)
                    values (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                    on conflict do nothing""")
                    .setParameter(1, d.incidentId()).setParameter(2, o.cluster()).setParameter(3, d.rule())
                    .setParameter(4, d.severity()).setParameter(5, d.confidence()).setParameter(6, d.summary())
                    .setParameter(7, toJson(d.evidence())).setParameter(8, toJson(d.recommendation()))
                    .setParameter(9, time)
                    .executeUpdate();
            if (inserted == 0) {
                return null; // another instance holds the open incident for this cluster and rule
            }
            opened.increment();
        } else {
            if (incident == null) {
                return null; // an incident this instance never stored (e.g. its open lost to another instance)
            }
            incident.severity = d.severity();
            incident.confidence = d.confidence();
            incident.summary = d.summary();
            incident.updatedAt = time;
            if (o.kind() == EngineOutput.Kind.RESOLVED) {
                incident.status = Decision.RESOLVED;
                incident.resolvedAt = time;
            } else {
                incident.evidence = toJson(d.evidence());
                incident.recommendation = toJson(d.recommendation());
            }
        }
        byte[] payload = EventCodec.encode(o.event());
        int rows = em.createNativeQuery("""
                insert into incident_decision (incident_id, seq, status, kind, event_time, summary, publish, payload)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) on conflict do nothing""")
                .setParameter(1, d.incidentId()).setParameter(2, seq).setParameter(3, d.status())
                .setParameter(4, o.kind().name()).setParameter(5, time).setParameter(6, d.summary())
                .setParameter(7, o.publish()).setParameter(8, new String(payload, java.nio.charset.StandardCharsets.UTF_8))
                .executeUpdate();
        if (rows == 0 || !o.publish()) {
            return null;
        }
        return new Outgoing(d.incidentId(), seq, o.cluster(), payload);
    }

    /** The engine numbers an incident's decisions; the CloudEvent id is {@code <incidentId>-<seq>}. */
    private static int seqOf(EngineOutput o) {
        String id = o.event().id();
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    @Transactional
    public void markPublished(String incidentId, int seq) {
        em.createNativeQuery("update incident_decision set published_at = now() where incident_id = ?1 and seq = ?2")
                .setParameter(1, incidentId).setParameter(2, seq).executeUpdate();
    }

    /** Decisions committed but not acknowledged by the broker for a while (e.g. the process died). */
    @Transactional
    public List<Outgoing> unpublished(int olderThanSeconds) {
        List<DecisionRecordEntity> rows = DecisionRecordEntity.find(
                "publish = true and publishedAt is null and createdAt < ?1 order by createdAt",
                Instant.now().minusSeconds(olderThanSeconds)).page(0, 500).list();
        return rows.stream().map(r -> new Outgoing(r.incidentId, r.seq,
                IncidentEntity.<IncidentEntity>findById(r.incidentId).cluster,
                r.payload.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
    }

    /** Open incidents, for restoring the engine's view after a restart. */
    @Transactional
    public List<OpenIncident> openIncidents() {
        List<IncidentEntity> open = IncidentEntity.list("status", Decision.OPEN);
        return open.stream().map(i -> new OpenIncident(i.cluster, i.rule, i.incidentId, i.updatedAt,
                ((Number) em.createNativeQuery("select coalesce(max(seq), 0) from incident_decision where incident_id = ?1")
                        .setParameter(1, i.incidentId).getSingleResult()).intValue())).toList();
    }

    public record OpenIncident(String cluster, String rule, String incidentId, Instant lastTrue, int seq) {
    }

    @Transactional
    public void recordClustersSeen(java.util.Map<String, Instant> watermarks) {
        for (var e : watermarks.entrySet()) {
            em.createNativeQuery("""
                    insert into cluster_seen (cluster, last_signal_time, updated_at) values (?1, ?2, now())
                    on conflict (cluster) do update set last_signal_time = greatest(cluster_seen.last_signal_time,
                    excluded.last_signal_time), updated_at = now()""")
                    .setParameter(1, e.getKey()).setParameter(2, e.getValue()).executeUpdate();
        }
    }

    private String toJson(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
