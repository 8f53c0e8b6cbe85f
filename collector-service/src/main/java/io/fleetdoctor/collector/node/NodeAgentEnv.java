package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.config.ConfigCheck;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lean node agent's configuration, from the environment variables the DaemonSet's ConfigMap and the Quarkus
 * collector use (the env form of {@code fleetdoctor.collector.*} in collector-service's application.properties, with
 * the same defaults), validated by {@link ConfigCheck} where it applies.
 *
 * <p>Every variable is read by a call {@code get|duration|integer(env, "NAME", ...)} with the name as a literal:
 * deploy-check's ServiceConfig finds them there (a variable the manifests set must be one somebody reads).
 *
 * <p>Kafka: every {@code KAFKA_*} variable becomes a client property the way Quarkus maps it
 * ({@code KAFKA_SASL_JAAS_CONFIG} -> {@code sasl.jaas.config}); KAFKA_BOOTSTRAP_SERVERS is required.
 *
 * @param interval time between two ticks
 * @param httpPort health and metrics port (FLEETDOCTOR_COLLECTOR_HTTP_PORT, default 8082; 0 = any free port)
 * @param kafka    client properties from the KAFKA_* variables
 */
public record NodeAgentEnv(NodeAgentSettings settings, Duration interval, int httpPort, Map<String, Object> kafka) {
    static final String P = "FLEETDOCTOR_COLLECTOR_";
    public static final int DEFAULT_HTTP_PORT = 8082;
    private static final Pattern KEY = Pattern.compile("fleetdoctor\\.collector\\.([a-z-]+)");

    /** The configuration could not be used: one message per problem, each naming its variable. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    public static NodeAgentEnv parse(Map<String, String> env) throws Invalid {
        List<String> errors = new ArrayList<>();
        String mode = get(env, "FLEETDOCTOR_COLLECTOR_MODE", null);
        if (mode != null && !mode.equals(ConfigCheck.MODE_NODE)) {
            errors.add("FLEETDOCTOR_COLLECTOR_MODE='" + mode + "': this is the node agent (mode node); the cluster"
                    + " watcher is the Quarkus application (quarkus-run.jar)");
        }
        String bootstrap = get(env, "KAFKA_BOOTSTRAP_SERVERS", null);
        if (bootstrap == null) {
            errors.add("KAFKA_BOOTSTRAP_SERVERS is not set: the Kafka brokers, host:port[,host:port]");
        }
        String cluster = get(env, "FLEETDOCTOR_COLLECTOR_CLUSTER_ID", null);
        Path procfs = Path.of(get(env, "FLEETDOCTOR_COLLECTOR_PROCFS", "/proc"));
        Path sysfs = Path.of(get(env, "FLEETDOCTOR_COLLECTOR_SYSFS", "/sys"));
        String node = get(env, "FLEETDOCTOR_COLLECTOR_NODE_NAME", get(env, "NODE_NAME", null));
        if (node == null) {
            node = NodeAgentSettings.hostName(procfs);
        }
        String hostIp = get(env, "FLEETDOCTOR_COLLECTOR_HOST_IP", get(env, "HOST_IP", null));
        for (String m : ConfigCheck.clusterId(cluster)) {
            errors.add(envNames(m));
        }
        for (String m : ConfigCheck.node(node, procfs, sysfs)) {
            errors.add(envNames(m));
        }
        Duration interval = duration(env, "FLEETDOCTOR_COLLECTOR_INTERVAL", "10s", errors);
        Duration heartbeat = duration(env, "FLEETDOCTOR_COLLECTOR_HEARTBEAT_INTERVAL", "30s", errors);
        Duration inventory = duration(env, "FLEETDOCTOR_COLLECTOR_INVENTORY_INTERVAL", "10m", errors);
        int topN = integer(env, "FLEETDOCTOR_COLLECTOR_TOP_N", "10", 0, 10_000, errors);
        int port = integer(env, "FLEETDOCTOR_COLLECTOR_HTTP_PORT", Integer.toString(DEFAULT_HTTP_PORT), 0, 65_535, errors);
        Set<String> watch = new LinkedHashSet<>();
        for (String s : get(env, "FLEETDOCTOR_COLLECTOR_WATCH_LIST", "flanneld").split(",")) {
            if (!s.isBlank()) {
                watch.add(s.trim());
            }
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        Map<String, Object> kafka = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && v != null && !v.isBlank()) {
                kafka.put(k.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v.trim());
            }
        });
        return new NodeAgentEnv(new NodeAgentSettings(cluster, node, hostIp, procfs, sysfs, watch, topN, inventory,
                heartbeat), interval, port, kafka);
    }

    /**
     * A duration as Quarkus reads one: a number is seconds, {@code 500ms}, {@code 2d}, else ISO-8601 with or without
     * its {@code PT} ({@code 10s}, {@code 1h30m}, {@code PT10S}).
     */
    static Duration parseDuration(String v) {
        String s = v.trim();
        if (s.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        if (s.matches("\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.matches("\\d+[dD]")) {
            return Duration.ofDays(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            return Duration.parse(s);
        }
        return Duration.parse("PT" + s);
    }

    private static Duration duration(Map<String, String> env, String name, String fallback, List<String> errors) {
        String v = get(env, name, fallback);
        try {
            Duration d = parseDuration(v);
            if (d.isNegative() || d.isZero()) {
                errors.add(name + "='" + v + "' must be > 0");
            }
            return d;
        } catch (DateTimeParseException e) {
            errors.add(name + "='" + v + "' is not a duration (10s, 500ms, 5m, PT10S)");
            return Duration.ofSeconds(1);
        }
    }

    private static int integer(Map<String, String> env, String name, String fallback, int min, int max,
                               List<String> errors) {
        String v = get(env, name, fallback);
        try {
            int i = Integer.parseInt(v.trim());
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // below
        }
        errors.add(name + "='" + v + "' must be an integer within " + min + ".." + max);
        return min;
    }

    private static String get(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** ConfigCheck's messages name the Quarkus keys; here the variables are what the operator sets. */
    static String envNames(String message) {
        Matcher m = KEY.matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = P + m.group(1).toUpperCase(Locale.ROOT).replace('-', '_');
            m.appendReplacement(sb, Matcher.quoteReplacement(name.equals(P + "NODE_NAME") ? "NODE_NAME" : name));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
