package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The operators' view in {@code k8s/monitoring}: the Grafana dashboard parses as JSON and each panel queries
 * something; each alert has an expression, a severity and a summary; every expression is balanced. Whether the
 * metrics named exist is checked against the running services by local-run's {@code LocalRunIT}: only a
 * running service knows which meters it registers (Kafka client and JVM binders included).
 */
final class ObservabilityCheck {
    static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private ObservabilityCheck() {
    }

    static List<String> dashboard(JsonNode d) {
        List<String> problems = new ArrayList<>();
        if (d.path("uid").asText("").isEmpty() || d.path("title").asText("").isEmpty()) {
            problems.add("dashboard: no uid or title");
        }
        JsonNode panels = d.path("panels");
        if (!panels.isArray() || panels.isEmpty()) {
            problems.add("dashboard: no panels");
        }
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels) {
            String where = "panel '" + p.path("title").asText("?") + "'";
            if (!ids.add(p.path("id").asInt(-1))) {
                problems.add(where + ": id " + p.path("id") + " missing or repeated");
            }
            JsonNode targets = p.path("targets");
            if (!targets.isArray() || targets.isEmpty()) {
                problems.add(where + ": no query");
            }
            for (JsonNode t : targets) {
                problems.addAll(expression(where, t.path("expr").asText("")));
            }
        }
        return problems;
    }

    static List<String> rules(JsonNode rule) {
        List<String> problems = new ArrayList<>();
        if (!"PrometheusRule".equals(rule.path("kind").asText())) {
            problems.add("not a PrometheusRule: " + rule.path("kind"));
        }
        int n = 0;
        for (JsonNode g : rule.path("spec").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                n++;
                String where = "alert '" + r.path("alert").asText("?") + "'";
                if (r.path("alert").asText("").isEmpty()) {
                    problems.add(where + ": no alert name");
                }
                if (!SEVERITIES.contains(r.path("labels").path("severity").asText(""))) {
                    problems.add(where + ": severity must be one of " + SEVERITIES);
                }
                if (r.path("annotations").path("summary").asText("").isEmpty()) {
                    problems.add(where + ": no summary annotation");
                }
                problems.addAll(expression(where, r.path("expr").asText("")));
            }
        }
        if (n == 0) {
            problems.add("PrometheusRule: no rules");
        }
        return problems;
    }

    /** Non-empty, brackets balanced outside string literals, and at least one metric name. */
    static List<String> expression(String where, String expr) {
        if (expr.isBlank()) {
            return List.of(where + ": empty expression");
        }
        StringBuilder open = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' && (i == 0 || expr.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (!inString && "({[".indexOf(c) >= 0) {
                open.append(c);
            } else if (!inString && ")}]".indexOf(c) >= 0) {
                char want = "({[".charAt(")}]".indexOf(c));
                if (open.length() == 0 || open.charAt(open.length() - 1) != want) {
                    return List.of(where + ": unbalanced '" + c + "' at " + i + " in " + expr);
                }
                open.setLength(open.length() - 1);
            }
        }
        if (inString || open.length() > 0) {
            return List.of(where + ": unclosed " + (inString ? "string" : "'" + open + "'") + " in " + expr);
        }
        if (!expr.matches("(?s).*\\b(fleetdoctor|kafka|jvm|process|http_server)_[a-z0-9_]+.*")) {
            return List.of(where + ": names no metric of the services: " + expr);
        }
        return List.of();
    }

    static Path dir() {
        return ProjectRoot.k8s().resolve("monitoring");
    }

    static JsonNode dashboardJson() throws IOException {
        return Yamls.JSON.readTree(Files.readString(dir().resolve("fleetdoctor-dashboard.json")));
    }
}
