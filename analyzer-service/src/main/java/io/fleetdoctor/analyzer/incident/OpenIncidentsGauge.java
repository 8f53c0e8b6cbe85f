package io.fleetdoctor.analyzer.incident;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code fleetdoctor_incidents_open{rule}}: open incidents by rule, from the database (so every analyzer
 * instance reports the fleet's count, whichever partitions it owns: aggregate with max), refreshed every 30 s.
 */
@ApplicationScoped
public class OpenIncidentsGauge {
    private static final Logger LOG = Logger.getLogger(OpenIncidentsGauge.class);

    @Inject
    EntityManager em;
    @Inject
    MeterRegistry meters;
    @Inject
    io.fleetdoctor.analyzer.config.AnalyzerConfig config;
    private MultiGauge gauge;

    @Scheduled(every = "${fleetdoctor.analyzer.gauge-refresh:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            update();
        } catch (RuntimeException e) {
            LOG.debugf("open incidents gauge not refreshed: %s", e.toString());
        }
    }

    @Transactional
    @SuppressWarnings("unchecked")
    void update() {
        if (gauge == null) {
            gauge = MultiGauge.builder("fleetdoctor.incidents.open")
                    .description("Open incidents by rule, fleet-wide (from the database)").register(meters);
        }
        // every configured rule has a series, 0 included, so an alert on it can tell "none" from "not scraped"
        java.util.Map<String, Double> open = new java.util.TreeMap<>();
        config.rules().forEach(rule -> open.put(rule, 0.0));
        for (Object[] r : (List<Object[]>) em.createNativeQuery(
                "select rule, count(*) from incident where status = 'open' group by rule").getResultList()) {
            open.put((String) r[0], ((Number) r[1]).doubleValue());
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        open.forEach((rule, n) -> rows.add(MultiGauge.Row.of(Tags.of("rule", rule), n)));
        gauge.register(rows, true);
    }
}
