package io.fleetdoctor.analyzer.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.outbox.OutboxStore;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** Read side of incidents for the REST API. */
@ApplicationScoped
public class IncidentQueries {
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper json;
    @Inject
    OutboxStore outbox;

    @Transactional
    public IncidentViews.Page list(String cluster, String rule, String status, int page, int size) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (cluster != null) {
            q.append(" and cluster = :cluster");
            params.put("cluster", cluster);
        }
        if (rule != null) {
            q.append(" and rule = :rule");
            params.put("rule", rule);
        }
        if (status != null) {
            q.append(" and status = :status");
            params.put("status", status);
        }
        var query = IncidentEntity.<IncidentEntity>find(q.toString(), Sort.descending("updatedAt", "incidentId"), params);
        long total = query.count();
        List<IncidentViews.Summary> items = query.page(Page.of(page, size)).list().stream()
                .map(IncidentQueries::summary).toList();
        return new IncidentViews.Page(items, page, size, total);
    }

    @Transactional
    public Optional<IncidentViews.Detail> get(String incidentId) {
        IncidentEntity i = IncidentEntity.findById(incidentId);
        if (i == null) {
            return Optional.empty();
        }
        List<DecisionRecordEntity> rows = DecisionRecordEntity.list("incidentId", Sort.ascending("seq"), incidentId);
        // published = the broker acknowledged the decision's outbox row
        Map<UUID, Instant> delivered = outbox.deliveredAt(rows.stream().map(r -> r.outboxId)
                .filter(Objects::nonNull).toList());
        List<IncidentViews.HistoryEntry> history = rows.stream().map(r -> {
            Instant at = r.outboxId == null ? null : delivered.get(r.outboxId);
            return new IncidentViews.HistoryEntry(r.seq, r.status, r.kind, r.eventTime, r.summary, at != null, at);
        }).toList();
        try {
            List<Decision.Evidence> evidence = List.of(json.readValue(i.evidence, Decision.Evidence[].class));
            Decision.Recommendation rec = i.recommendation == null ? null
                    : json.readValue(i.recommendation, Decision.Recommendation.class);
            return Optional.of(new IncidentViews.Detail(i.incidentId, i.cluster, i.rule, i.status, i.severity,
                    i.confidence, i.summary, i.openedAt, i.updatedAt, i.resolvedAt, evidence, rec, history));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored evidence of " + incidentId + " is not valid JSON", e);
        }
    }

    /** Clusters from the table written in batches, merged with the live event times of this instance. */
    @Transactional
    public IncidentViews.FleetSummary fleet(Map<String, Instant> live) {
        Map<String, Instant> seen = new TreeMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select cluster, last_signal_time from cluster_seen").getResultList();
        for (Object[] r : rows) {
            seen.put((String) r[0], toInstant(r[1]));
        }
        live.forEach((c, t) -> seen.merge(c, t, (a, b) -> a.isAfter(b) ? a : b));
        Map<String, Long> open = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> counts = em.createQuery(
                "select i.cluster, count(i) from IncidentEntity i where i.status = 'open' group by i.cluster")
                .getResultList();
        long totalOpen = 0;
        for (Object[] r : counts) {
            open.put((String) r[0], (Long) r[1]);
            totalOpen += (Long) r[1];
            seen.putIfAbsent((String) r[0], null);
        }
        List<IncidentViews.ClusterView> clusters = new ArrayList<>();
        seen.forEach((c, t) -> clusters.add(new IncidentViews.ClusterView(c, t, open.getOrDefault(c, 0L))));
        return new IncidentViews.FleetSummary(clusters.size(), totalOpen, clusters);
    }

    private static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        return null;
    }

    private static IncidentViews.Summary summary(IncidentEntity i) {
        return new IncidentViews.Summary(i.incidentId, i.cluster, i.rule, i.status, i.severity, i.confidence,
                i.summary, i.openedAt, i.updatedAt, i.resolvedAt);
    }
}
