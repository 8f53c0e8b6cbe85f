package io.fleetdoctor.analyzer.incident;

import io.fleetdoctor.events.Decision;

import java.time.Instant;
import java.util.List;

/**
 * What the REST API shows of incidents: the read model that {@link IncidentQueries} returns. Entities never
 * leave this package.
 */
public final class IncidentViews {
    private IncidentViews() {
    }

    public record Summary(String incidentId, String cluster, String rule, String status, String severity,
                          double confidence, String summary, Instant openedAt, Instant updatedAt,
                          Instant resolvedAt) {
    }

    public record Page(List<Summary> items, int page, int size, long total) {
    }

    public record HistoryEntry(int seq, String status, String kind, Instant eventTime, String summary,
                               boolean published, Instant publishedAt) {
    }

    public record Detail(String incidentId, String cluster, String rule, String status, String severity,
                         double confidence, String summary, Instant openedAt, Instant updatedAt, Instant resolvedAt,
                         List<Decision.Evidence> evidence, Decision.Recommendation recommendation,
                         List<HistoryEntry> history) {
    }

    public record ClusterView(String cluster, Instant lastSignalTime, long openIncidents) {
    }

    public record FleetSummary(int clustersSeen, long openIncidents, List<ClusterView> clusters) {
    }
}
