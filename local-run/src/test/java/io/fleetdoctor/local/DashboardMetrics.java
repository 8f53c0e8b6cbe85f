package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric the Grafana dashboard and the PrometheusRule in {@code k8s/monitoring} name is exposed on
 * {@code /q/metrics} by a running service of the demo (deploy-check checks their form; only here do the
 * services run).
 */
final class DashboardMetrics {
    private static final Pattern NAME = Pattern.compile("\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\b");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");

    private DashboardMetrics() {
    }

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")        // string literals
                .replaceAll("\\{[^}]*}", "")                                  // label matchers
                .replaceAll("\\[[^]]*]", "")                                  // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", ""); // label lists
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String n = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            if (!function && !KEYWORDS.contains(n.toLowerCase())) {
                names.add(n);
            }
        }
        return names;
    }

    static List<String> expressions(Path k8s) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode d = new ObjectMapper().readTree(Files.readString(k8s.resolve("monitoring/fleetdoctor-dashboard.json")));
        for (JsonNode p : d.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        Matcher m = Pattern.compile("(?m)^\\s*expr: (.+)$").matcher(Files.readString(k8s.resolve("monitoring/prometheusrule.yaml")));
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    static void assertExposed(LocalRun run) throws Exception {
        Path k8s = Path.of("..").toAbsolutePath().normalize().resolve("k8s");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Set<String> exposed = new TreeSet<>();
        Map<String, Integer> ports = run.httpPorts();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + e.getValue() + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), e.getKey() + " /q/metrics");
            r.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .forEach(l -> exposed.add(l.split("[{ ]", 2)[0]));
        }
        assertTrue(ports.keySet().containsAll(List.of("analyzer", "remediator", "collector")), ports.toString());
        List<String> exprs = expressions(k8s);
        assertTrue(exprs.size() >= 20, "queries found: " + exprs.size());
        Map<String, String> missing = new TreeMap<>();
        for (String expr : exprs) {
            for (String name : metricNames(expr)) {
                if (!exposed.contains(name)) {
                    missing.put(name, expr);
                }
            }
        }
        assertEquals(Map.of(), missing, "metrics named in k8s/monitoring but exposed by no service of the demo");
    }
}
