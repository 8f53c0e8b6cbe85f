package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

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
