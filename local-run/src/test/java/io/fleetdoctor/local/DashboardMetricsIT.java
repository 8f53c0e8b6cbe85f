package io.fleetdoctor.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardMetricsIT {

    @Test
    void metricNamesSkipFunctionsKeywordsLabelsAndDurations() {
        assertEquals(Set.of("kafka_consumer_fetch_manager_records_lag_max"), DashboardMetrics.metricNames(
                "max by (service, client_id) (kafka_consumer_fetch_manager_records_lag_max"
                        + "{client_id=~\"kafka-consumer-(signals|decisions)\"}) > 50000"));
        assertEquals(Set.of("fleetdoctor_plans"), DashboardMetrics.metricNames(
                "sum(max by (state) (fleetdoctor_plans{state=~\"FAILED|ROLLED_BACK\"})) - sum(max by (state)"
                        + " (fleetdoctor_plans{state=~\"FAILED\"} offset 15m)) > 0"));
        assertEquals(Set.of("a_total", "b"), DashboardMetrics.metricNames("rate(a_total[5m]) / on (x) group_left b"));
    }

    @Test
    void theShippedQueriesNameMetrics() throws Exception {
        for (String expr : DashboardMetrics.expressions(Path.of("..").toAbsolutePath().normalize().resolve("k8s"))) {
            assertTrue(!DashboardMetrics.metricNames(expr).isEmpty(), expr);
        }
    }
}
