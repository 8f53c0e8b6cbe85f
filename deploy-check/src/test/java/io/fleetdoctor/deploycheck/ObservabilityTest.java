package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObservabilityTest {

    @Test
    void theShippedDashboardAndRulesPass() throws IOException {
        JsonNode dashboard = ObservabilityCheck.dashboardJson();
        assertEquals(List.of(), ObservabilityCheck.dashboard(dashboard));
        assertTrue(dashboard.path("panels").size() >= 10, "panels: " + dashboard.path("panels").size());
        JsonNode rule = Yamls.single(ObservabilityCheck.dir().resolve("prometheusrule.yaml"));
        assertEquals(List.of(), ObservabilityCheck.rules(rule));
        JsonNode k = Yamls.single(ObservabilityCheck.dir().resolve("kustomization.yaml"));
        assertEquals("fleetdoctor-dashboard.json", k.path("configMapGenerator").get(0).path("files").get(0).asText());
        assertEquals("1", k.path("configMapGenerator").get(0).path("options").path("labels").path("grafana_dashboard")
                .asText(), "Grafana's sidecar finds dashboards by this label");
        assertEquals(List.of(), ObservabilityCheck.unknownMetrics(ObservabilityCheck.expressions(dashboard, rule),
                ObservabilityCheck.registeredMetrics()), "every fleetdoctor_* metric is registered by a service");
    }

    @Test
    void aMisspeltMetricIsReported() throws IOException {
        Set<String> registered = ObservabilityCheck.registeredMetrics();
        assertTrue(registered.containsAll(Set.of("fleetdoctor_plans", "fleetdoctor_signals_dlq_total",
                "fleetdoctor_notify_oldest_pending_seconds", "fleetdoctor_outbox_messages_sent_total")), registered.toString());
        assertEquals(List.of("fleetdoctor_plnas"), ObservabilityCheck.unknownMetrics(
                List.of("max by (state) (fleetdoctor_plnas)", "sum(fleetdoctor_plans)"), registered));
        Set<String> names = ObservabilityCheck.registeredMetrics(List.of("""
                Counter.builder("fleetdoctor.a.b"); registry.gauge("fleetdoctor.g", x);
                Timer.builder("fleetdoctor.t"); @Counted("fleetdoctor.c.total")""",
                "new DeliveryPolicy(1, \"fleetdoctor.lane\"); Gauge.builder(p + \".pending\", x, f);"));
        assertEquals(new java.util.TreeSet<>(Set.of("fleetdoctor_a_b_total", "fleetdoctor_g", "fleetdoctor_t_seconds_count",
                "fleetdoctor_t_seconds_sum", "fleetdoctor_t_seconds_max", "fleetdoctor_t_seconds_bucket",
                "fleetdoctor_c_total", "fleetdoctor_lane_pending")), names);
    }

    @Test
    void theCheckCatchesBrokenQueriesAndAlerts() throws IOException {
        assertEquals(1, ObservabilityCheck.expression("x", "sum(rate(fleetdoctor_signals_dlq_total[5m])").size());
        assertEquals(1, ObservabilityCheck.expression("x", "max by (state) (fleetdoctor_plans{state=\"A)").size());
        assertEquals(1, ObservabilityCheck.expression("x", "vector(1)").size(), "names no metric");
        assertEquals(List.of(), ObservabilityCheck.expression("x", "max(fleetdoctor_plans{state=\"(\"})"));
        JsonNode rule = Yamls.JSON.readTree("""
                {"kind": "PrometheusRule", "spec": {"groups": [{"rules": [
                  {"alert": "A", "expr": "up", "labels": {"severity": "page"}}]}]}}""");
        List<String> problems = ObservabilityCheck.rules(rule);
        assertEquals(3, problems.size(), problems.toString());
        JsonNode dash = Yamls.JSON.readTree("""
                {"uid": "u", "title": "t", "panels": [{"id": 1, "title": "p", "targets": []},
                  {"id": 1, "title": "q", "targets": [{"expr": "fleetdoctor_plans"}]}]}""");
        assertEquals(2, ObservabilityCheck.dashboard(dash).size(), ObservabilityCheck.dashboard(dash).toString());
    }
}
