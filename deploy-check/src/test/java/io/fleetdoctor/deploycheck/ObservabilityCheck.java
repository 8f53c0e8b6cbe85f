package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operators' view in {@code k8s/monitoring}: the Grafana dashboard parses as JSON and each panel queries
 * something; each alert has an expression, a severity and a summary; every expression is balanced; every
 * {@code fleetdoctor_*} metric named is one the services' sources register ({@link #registeredMetrics}). The
 * other metrics (Kafka client, JVM binders) are checked against the running services by local-run's
 * {@code LocalRunIT}.
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

    static final List<String> SOURCES = List.of("analyzer-service", "collector-service", "remediator-service", "outbox");
    static final Pattern METRIC = Pattern.compile("\\bfleetdoctor_[a-z0-9_]+");
    /** A meter registered with a literal name, or a prefix variable plus a literal suffix (the outbox's lanes). */
    static final Pattern METER = Pattern.compile("\\b(Counter|FunctionCounter|Gauge|MultiGauge|TimeGauge|Timer"
            + "|FunctionTimer|LongTaskTimer|DistributionSummary)\\.builder\\(\\s*(\\w+\\s*\\+\\s*)?\"([^\"]+)\""
            + "|\\.(counter|gauge|timer|summary)\\(\\s*\"([^\"]+)\""
            + "|@(Counted|Timed)\\(\\s*(?:value\\s*=\\s*)?\"([^\"]+)\"");
    /** The outbox lanes' metric prefixes: the last argument of a DeliveryPolicy. */
    static final Pattern PREFIX = Pattern.compile(",\\s*\"(fleetdoctor\\.[a-z.]+)\"\\s*\\)");

    /** Names of the {@code fleetdoctor_*} metrics in these expressions that no service registers. */
    static List<String> unknownMetrics(Iterable<String> expressions, Set<String> registered) {
        Set<String> unknown = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                if (!registered.contains(m.group())) {
                    unknown.add(m.group());
                }
            }
        }
        return List.copyOf(unknown);
    }

    /** Prometheus names of the meters the services' sources register (Micrometer's naming). */
    static Set<String> registeredMetrics() throws IOException {
        List<String> sources = new ArrayList<>();
        for (String module : SOURCES) {
            try (Stream<Path> files = Files.walk(ProjectRoot.get().resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    sources.add(Files.readString(f));
                }
            }
        }
        return registeredMetrics(sources);
    }

    static Set<String> registeredMetrics(List<String> sources) {
        Set<String> prefixes = new TreeSet<>();
        for (String s : sources) {
            if (s.contains("DeliveryPolicy(")) {
                Matcher m = PREFIX.matcher(s);
                while (m.find()) {
                    prefixes.add(m.group(1));
                }
            }
        }
        Set<String> names = new TreeSet<>();
        for (String s : sources) {
            Matcher m = METER.matcher(s);
            while (m.find()) {
                String kind = m.group(1) != null ? m.group(1) : m.group(4) != null ? m.group(4) : m.group(6);
                String name = m.group(1) != null ? m.group(3) : m.group(4) != null ? m.group(5) : m.group(7);
                List<String> full = m.group(2) == null ? List.of(name) : prefixes.stream().map(p -> p + name).toList();
                for (String n : full) {
                    names.addAll(prometheus(kind, n.replace('.', '_')));
                }
            }
        }
        return names;
    }

    /** Micrometer's Prometheus names of one meter: counters end in _total, timers in _seconds_count and so on. */
    static List<String> prometheus(String kind, String base) {
        return switch (kind) {
            case "Counter", "FunctionCounter", "counter", "Counted" ->
                    List.of(base.endsWith("_total") ? base : base + "_total");
            case "Timer", "FunctionTimer", "timer", "Timed" -> List.of(base + "_seconds_count", base + "_seconds_sum",
                    base + "_seconds_max", base + "_seconds_bucket");
            case "LongTaskTimer" -> List.of(base + "_seconds_active_count", base + "_seconds_duration_sum",
                    base + "_seconds_max");
            case "DistributionSummary", "summary" -> List.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
            default -> List.of(base);
        };
    }

    /** Every query of the dashboard and expression of the rules. */
    static List<String> expressions(JsonNode dashboard, JsonNode rule) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText(""));
            }
        }
        for (JsonNode g : rule.path("spec").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                out.add(r.path("expr").asText(""));
            }
        }
        return out;
    }

    static Path dir() {
        return ProjectRoot.k8s().resolve("monitoring");
    }

    static JsonNode dashboardJson() throws IOException {
        return Yamls.JSON.readTree(Files.readString(dir().resolve("fleetdoctor-dashboard.json")));
    }
}
