package io.fleetdoctor.analyzer.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.outbox.Outbox;
import io.fleetdoctor.outbox.OutboxEvent;
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
 * or a second analyzer instance never duplicates anything. A decision to publish goes to the outbox
 * in the same transaction, so it is sent exactly when it is stored, after the commit.
 */
@ApplicationScoped
public class IncidentService {
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper json;
    @Inject
    Outbox outbox;

    private final Counter opened;

    @Inject
    public IncidentService(MeterRegistry registry) {
        this.opened = Counter.builder("fleetdoctor.incidents.opened").description("Incidents opened").register(registry);
    }

    /** Stores an engine output; returns whether it was new and is to be published. */
    @Transactional
    public boolean apply(EngineOutput o) {
        Decision d = o.decision();
        int seq = seqOf(o);
        Instant time = o.event().time();
        IncidentEntity incident = IncidentEntity.findById(d.incidentId());
        if (o.kind() == EngineOutput.Kind.OPEN) {
            if (incident != null) {
                return false; // redelivered: already stored
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
                return false; // another instance holds the open incident for this cluster and rule
            }
            opened.increment();
        } else {
            if (incident == null) {
                return false; // an incident this instance never stored (e.g. its open lost to another instance)
            }
            incident.updatedAt = time;
            if (o.kind() == EngineOutput.Kind.RESOLVED) {
                // the resolve decision says "info" and "resolved, why" (kept in its history row): the incident keeps
                // the summary, severity and evidence it had
                incident.status = Decision.RESOLVED;
                incident.resolvedAt = time;
            } else {
                incident.severity = d.severity();
                incident.confidence = d.confidence();
                incident.summary = d.summary();
                incident.evidence = toJson(d.evidence());
                incident.recommendation = toJson(d.recommendation());
            }
        }
        OutboxEvent event = OutboxEvent.of(Topics.DECISIONS, "incident", d.incidentId(), EventType.DECISION.id(),
                o.event().id(), EventCodec.encodeToString(o.event())).withKey(o.cluster());
        int rows = em.createNativeQuery("""
                insert into incident_decision (incident_id, seq, status, kind, event_time, summary, publish, outbox_id)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, case when ?7 then cast(?8 as uuid) end) on conflict do nothing""")
                .setParameter(1, d.incidentId()).setParameter(2, seq).setParameter(3, d.status())
                .setParameter(4, o.kind().name()).setParameter(5, time).setParameter(6, d.summary())
                .setParameter(7, o.publish()).setParameter(8, event.id().toString())
                .executeUpdate();
        if (rows == 0 || !o.publish()) {
            return false;
        }
        outbox.emit(event);
        return true;
    }

    /** The engine numbers an incident's decisions; the CloudEvent id is {@code <incidentId>-<seq>}. */
    private static int seqOf(EngineOutput o) {
        String id = o.event().id();
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    /**
     * Open incidents of the clusters matching {@code clusters}, with the state they were stored with: what an
     * analyzer adopts when it is assigned their partitions.
     */
    @Transactional
    public List<OpenIncident> openIncidents(java.util.function.Predicate<String> clusters) {
        List<IncidentEntity> open = IncidentEntity.list("status", Decision.OPEN);
        return open.stream().filter(i -> clusters.test(i.cluster)).map(i -> new OpenIncident(i.cluster, i.rule,
                i.incidentId, i.updatedAt,
                ((Number) em.createNativeQuery("select coalesce(max(seq), 0) from incident_decision where incident_id = ?1")
                        .setParameter(1, i.incidentId).getSingleResult()).intValue(),
                i.severity, i.confidence, fromJson(i.recommendation, RECOMMENDATION),
                fromJson(i.evidence, EVIDENCE))).toList();
    }

    /**
     * Stores a remediation's SUCCEEDED on the incident while it is open, whichever analyzer holds it; true when a
     * row changed. Not mapped in {@link IncidentEntity}, so the entity's updates leave it as it is.
     */
    @Transactional
    public boolean markRemediated(String incidentId, Instant at) {
        return em.createNativeQuery("update incident set remediated_at = ?2"
                        + " where incident_id = ?1 and status = 'open' and remediated_at is null")
                .setParameter(1, incidentId).setParameter(2, at).executeUpdate() == 1;
    }

    /** Open incidents whose remediation succeeded: see {@code Analysis.resolveRemediated}. */
    @Transactional
    public List<Remediated> remediatedOpen() {
        List<?> rows = em.createNativeQuery("select cluster, incident_id, remediated_at from incident"
                + " where status = 'open' and remediated_at is not null").getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new Remediated((String) r[0], (String) r[1],
                instant(r[2]))).toList();
    }

    public record Remediated(String cluster, String incidentId, Instant at) {
    }

    private static Instant instant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        return ((java.sql.Timestamp) o).toInstant();
    }

    public record OpenIncident(String cluster, String rule, String incidentId, Instant lastTrue, int seq,
                               String severity, double confidence, Decision.Recommendation recommendation,
                               List<Decision.Evidence> evidence) {
    }

    private static final TypeReference<Decision.Recommendation> RECOMMENDATION = new TypeReference<>() {
    };
    private static final TypeReference<List<Decision.Evidence>> EVIDENCE = new TypeReference<>() {
    };

    private <T> T fromJson(String text, TypeReference<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored incident state unreadable: " + e.getOriginalMessage(), e);
        }
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
