package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a parsed docker-compose.yml against what the services need. Returns problems, one sentence each;
 * an empty list means the file is fine. The check is a plain function so the tests can feed it broken copies.
 */
final class ComposeCheck {

    static final List<String> TOPICS = List.of(
            "fleetdoctor.signals", "fleetdoctor.signals.dlq", "fleetdoctor.decisions", "fleetdoctor.remediations");

    private static final Set<String> CONDITIONS = Set.of(
            "service_started", "service_healthy", "service_completed_successfully");
    private static final Pattern HOST_PORT = Pattern.compile("^(?:\\[?[0-9a-fA-F.:]*\\]?:)?(\\d+)(?:-\\d+)?:\\d+(?:-\\d+)?(?:/\\w+)?$");

    private final JsonNode compose;
    private final Path root;
    private final List<String> problems = new ArrayList<>();

    private ComposeCheck(JsonNode compose, Path root) {
        this.compose = compose;
        this.root = root;
    }

    static List<String> check(JsonNode compose, Path root) {
        ComposeCheck c = new ComposeCheck(compose, root);
        c.run();
        return c.problems;
    }

    private void run() {
        JsonNode services = compose.path("services");
        if (!services.isObject() || services.isEmpty()) {
            problems.add("no services");
            return;
        }
        Map<String, String> hostPorts = new HashMap<>();
        Set<String> collectorModes = new LinkedHashSet<>();
        Set<String> appKinds = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode svc = e.getValue();
            if (!svc.has("image") && !svc.has("build")) {
                problems.add(name + ": neither image nor build");
            }
            if (svc.path("privileged").asBoolean(false)) {
                problems.add(name + ": privileged");
            }
            if ("host".equals(svc.path("network_mode").asText())) {
                // as in Kubernetes: the node agent reads the host's network through <procfs>/1/net with pid: host
                problems.add(name + ": network_mode: host (no service needs the host's network namespace)");
            }
            checkPorts(name, svc, hostPorts);
            checkDependsOn(name, svc, services);
            boolean oneShot = "no".equals(svc.path("restart").asText("no")) && svc.has("command")
                    && !svc.has("healthcheck") && !svc.has("ports");
            if (!oneShot && !svc.has("healthcheck")) {
                problems.add(name + ": no healthcheck");
            }
            String app = appKind(name, svc);
            if (app != null) {
                appKinds.add(app);
                checkAppService(name, app, svc, services, collectorModes);
            }
        }
        for (String kind : List.of("collector-service", "analyzer-service", "remediator-service")) {
            if (!appKinds.contains(kind)) {
                problems.add("no service built from " + kind);
            }
        }
        for (String mode : List.of("cluster", "node")) {
            if (!collectorModes.contains(mode)) {
                problems.add("no collector in " + mode + " mode");
            }
        }
        checkKafka(services);
    }

    /** Which of our services this is: by the build context, else by the image name. */
    private String appKind(String name, JsonNode svc) {
        String ref = svc.path("build").isTextual() ? svc.path("build").asText()
                : svc.path("build").path("context").asText(svc.path("image").asText(""));
        for (String kind : List.of("collector-service", "analyzer-service", "remediator-service")) {
            if (ref.contains(kind)) {
                return kind;
            }
        }
        return null;
    }

    private void checkAppService(String name, String kind, JsonNode svc, JsonNode services, Set<String> collectorModes) {
        checkBuild(name, svc);
        Map<String, String> env = env(svc);
        require(name, env, "KAFKA_BOOTSTRAP_SERVERS");
        String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "");
        if (!bootstrap.isEmpty()) {
            String host = bootstrap.split(",")[0].split(":")[0];
            if (!services.has(host)) {
                problems.add(name + ": KAFKA_BOOTSTRAP_SERVERS points at " + host + ", which is not a compose service");
            } else if (!dependsOnTransitively(name, host, services, new LinkedHashSet<>())) {
                problems.add(name + ": does not wait for " + host);
            }
        }
        if (!svc.path("read_only").asBoolean(false)) {
            problems.add(name + ": root filesystem not read_only");
        }
        if (!contains(svc.path("cap_drop"), "ALL")) {
            problems.add(name + ": does not drop ALL capabilities");
        }
        if (!contains(svc.path("security_opt"), "no-new-privileges:true")) {
            problems.add(name + ": no-new-privileges not set");
        }
        switch (kind) {
            case "analyzer-service":
            case "remediator-service":
                for (String key : List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                        "QUARKUS_DATASOURCE_PASSWORD")) {
                    require(name, env, key);
                }
                String url = env.getOrDefault("QUARKUS_DATASOURCE_JDBC_URL", "");
                Matcher m = Pattern.compile("^jdbc:postgresql://([^:/]+)").matcher(url);
                if (!url.isEmpty() && !m.find()) {
                    problems.add(name + ": QUARKUS_DATASOURCE_JDBC_URL is not a PostgreSQL URL: " + url);
                } else if (!url.isEmpty()) {
                    String db = m.group(1);
                    if (!services.has(db)) {
                        problems.add(name + ": database host " + db + " is not a compose service");
                    } else if (!"service_healthy".equals(
                            svc.path("depends_on").path(db).path("condition").asText())) {
                        problems.add(name + ": does not wait for " + db + " to be healthy");
                    }
                }
                if (env.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "").matches("[^$]+")) {
                    problems.add(name + ": literal database password (use ${VARIABLE})");
                }
                if (kind.equals("remediator-service")) {
                    require(name, env, "SLACK_WEBHOOK_URL");
                    require(name, env, "SLACK_SIGNING_SECRET");
                    require(name, env, "FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION");
                    problems.addAll(clusterRegistry(name, env));
                    kubeconfig(name, svc, env);
                }
                noCapAdd(name, svc);
                break;
            case "collector-service":
                require(name, env, "FLEETDOCTOR_COLLECTOR_MODE");
                require(name, env, "FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
                String mode = env.getOrDefault("FLEETDOCTOR_COLLECTOR_MODE", "");
                if (mode.equals("node")) {
                    collectorModes.add(mode);
                    checkNodeAgent(name, svc, env);
                } else if (mode.equals("cluster")) {
                    collectorModes.add(mode);
                    noCapAdd(name, svc);
                    kubeconfig(name, svc, env);
                } else if (env.containsKey("FLEETDOCTOR_COLLECTOR_MODE")) {
                    problems.add(name + ": FLEETDOCTOR_COLLECTOR_MODE must be cluster or node, not " + mode);
                }
                break;
            default:
                throw new IllegalStateException(kind);
        }
    }

    private void checkNodeAgent(String name, JsonNode svc, Map<String, String> env) {
        for (String key : List.of("FLEETDOCTOR_COLLECTOR_PROCFS", "FLEETDOCTOR_COLLECTOR_SYSFS", "NODE_NAME", "HOST_IP")) {
            require(name, env, key);
        }
        if (!"host".equals(svc.path("pid").asText())) {
            problems.add(name + ": node mode needs pid: host");
        }
        Map<String, String> mounts = new HashMap<>();
        for (JsonNode v : svc.path("volumes")) {
            String[] m = volume(v.asText());
            mounts.put(m[1], m[0] + (m[2].isEmpty() ? "" : ":" + m[2]));
        }
        String procfs = env.getOrDefault("FLEETDOCTOR_COLLECTOR_PROCFS", "/host/proc");
        String sysfs = env.getOrDefault("FLEETDOCTOR_COLLECTOR_SYSFS", "/host/sys");
        if (!"/proc:ro".equals(mounts.get(procfs))) {
            problems.add(name + ": host /proc must be mounted read-only at " + procfs + " (found " + mounts.get(procfs) + ")");
        }
        if (!"/sys:ro".equals(mounts.get(sysfs))) {
            problems.add(name + ": host /sys must be mounted read-only at " + sysfs + " (found " + mounts.get(sysfs) + ")");
        }
        List<String> added = texts(svc.path("cap_add"));
        if (!added.equals(List.of("SYS_PTRACE"))) {
            problems.add(name + ": the node agent may add SYS_PTRACE and nothing else, adds " + added);
        }
    }

    /** Outside Kubernetes the API client needs a kubeconfig: KUBECONFIG must point into a read-only mount. */
    private void kubeconfig(String name, JsonNode svc, Map<String, String> env) {
        String file = env.get("KUBECONFIG");
        if (file == null || file.isEmpty()) {
            problems.add(name + ": missing env KUBECONFIG");
            return;
        }
        boolean mounted = false;
        for (JsonNode v : svc.path("volumes")) {
            String[] m = volume(v.asText());
            boolean readOnly = m[2].equals("ro") || m[2].startsWith("ro,");
            if (!m[1].isEmpty() && (file.equals(m[1]) || file.startsWith(m[1] + "/")) && readOnly) {
                mounted = true;
            }
        }
        if (!mounted) {
            problems.add(name + ": KUBECONFIG " + file + " is not inside a read-only volume");
        }
    }

    private void noCapAdd(String name, JsonNode svc) {
        if (svc.has("cap_add") && !svc.path("cap_add").isEmpty()) {
            problems.add(name + ": adds capabilities " + texts(svc.path("cap_add")));
        }
        if ("host".equals(svc.path("pid").asText())) {
            problems.add(name + ": pid: host is only for the node agent");
        }
    }

    private void checkBuild(String name, JsonNode svc) {
        JsonNode build = svc.path("build");
        if (build.isMissingNode()) {
            problems.add(name + ": no build section");
            return;
        }
        String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
        String dockerfile = build.isTextual() ? "Dockerfile" : build.path("dockerfile").asText("Dockerfile");
        Path dir = root.resolve(context).normalize();
        if (!Files.isDirectory(dir)) {
            problems.add(name + ": build context " + context + " does not exist");
            return;
        }
        Path file = dir.resolve(dockerfile).normalize();
        if (!Files.isRegularFile(file)) {
            problems.add(name + ": Dockerfile " + dockerfile + " not found in " + context);
            return;
        }
        String text = Yamls.read(file);
        if (!Pattern.compile("(?m)^FROM\\s+\\S+").matcher(text).find()) {
            problems.add(name + ": " + dockerfile + " has no FROM");
        }
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(text);
        String lastUser = null;
        while (user.find()) {
            lastUser = user.group(1);
        }
        if (lastUser == null || lastUser.startsWith("0") || lastUser.startsWith("root")) {
            problems.add(name + ": " + dockerfile + " does not end with a non-root USER (found " + lastUser + ")");
        }
        if (!text.contains("target/quarkus-app/")) {
            problems.add(name + ": " + dockerfile + " does not copy the fast-jar layout target/quarkus-app");
        }
    }

    private void checkPorts(String name, JsonNode svc, Map<String, String> hostPorts) {
        for (JsonNode p : svc.path("ports")) {
            String hostPort;
            if (p.isObject()) {
                hostPort = p.path("published").asText("");
            } else {
                Matcher m = HOST_PORT.matcher(p.asText());
                hostPort = m.matches() ? m.group(1) : "";
            }
            if (hostPort.isEmpty()) {
                continue;
            }
            String other = hostPorts.putIfAbsent(hostPort, name);
            if (other != null) {
                problems.add(name + ": host port " + hostPort + " already published by " + other);
            }
        }
    }

    private void checkDependsOn(String name, JsonNode svc, JsonNode services) {
        JsonNode deps = svc.path("depends_on");
        if (deps.isMissingNode()) {
            return;
        }
        if (deps.isArray()) {
            problems.add(name + ": depends_on without conditions");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> d = it.next();
            JsonNode target = services.path(d.getKey());
            String condition = d.getValue().path("condition").asText("");
            if (target.isMissingNode()) {
                problems.add(name + ": depends on unknown service " + d.getKey());
            } else if (!CONDITIONS.contains(condition)) {
                problems.add(name + ": depends_on " + d.getKey() + " without a valid condition");
            } else if (condition.equals("service_healthy") && !target.has("healthcheck")) {
                problems.add(name + ": waits for " + d.getKey() + " to be healthy, but it has no healthcheck");
            }
        }
    }

    private void checkKafka(JsonNode services) {
        boolean kraft = false;
        StringBuilder commands = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode svc = e.getValue();
            Map<String, String> env = env(svc);
            if (svc.path("image").asText().startsWith("apache/kafka")) {
                if (env.getOrDefault("KAFKA_PROCESS_ROLES", "").contains("controller")) {
                    kraft = true;
                }
                env.keySet().stream().filter(k -> k.contains("ZOOKEEPER"))
                        .forEach(k -> problems.add(e.getKey() + ": ZooKeeper setting " + k + " (KRaft only)"));
            }
            commands.append(svc.path("command")).append(svc.path("entrypoint"));
        }
        if (!kraft) {
            problems.add("no apache/kafka service in KRaft mode (KAFKA_PROCESS_ROLES with controller)");
        }
        for (String topic : TOPICS) {
            if (!Pattern.compile("--topic\\s+" + Pattern.quote(topic) + "(\\s|$|\")").matcher(commands).find()) {
                problems.add("topic " + topic + " is not created by any service");
            }
        }
    }

    private boolean dependsOnTransitively(String from, String target, JsonNode services, Set<String> seen) {
        if (!seen.add(from)) {
            return false;
        }
        JsonNode deps = services.path(from).path("depends_on");
        for (Iterator<String> it = deps.isArray() ? textIterator(deps) : deps.fieldNames(); it.hasNext();) {
            String d = it.next();
            if (d.equals(target) || dependsOnTransitively(d, target, services, seen)) {
                return true;
            }
        }
        return false;
    }

    private void require(String name, Map<String, String> env, String key) {
        if (!env.containsKey(key)) {
            problems.add(name + ": missing env " + key);
        }
    }

    /**
     * Short volume syntax SOURCE:TARGET[:MODE] as {source, target, mode}; parsed from the end because the source
     * may hold an interpolation with ":-".
     */
    static String[] volume(String spec) {
        String mode = "";
        String rest = spec;
        int last = rest.lastIndexOf(':');
        if (last > 0 && rest.substring(last + 1).matches("(ro|rw|z|Z)(,.*)?")) {
            mode = rest.substring(last + 1);
            rest = rest.substring(0, last);
        }
        int colon = rest.lastIndexOf(':');
        return colon < 0 ? new String[] {"", rest, mode}
                : new String[] {rest.substring(0, colon), rest.substring(colon + 1), mode};
    }

    /** environment: as a mapping or as a list of KEY=VALUE. */
    static Map<String, String> env(JsonNode svc) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = svc.path("environment");
        if (e.isObject()) {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().isNull() ? "" : f.getValue().asText()));
        } else if (e.isArray()) {
            for (JsonNode item : e) {
                String s = item.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    private static boolean contains(JsonNode array, String value) {
        return texts(array).contains(value);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Iterator<String> textIterator(JsonNode array) {
        return texts(array).iterator();
    }

    private static final Pattern REGISTRY_KEY = Pattern.compile("FLEETDOCTOR_CLUSTERS__([A-Z0-9_]+)__(ID|CONTEXT|KUBECONFIG|CLASS)");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(:[^}]*)?}");

    /**
     * The remediator refuses every decision of a cluster that is not in its registry: it needs at least one entry
     * {@code FLEETDOCTOR_CLUSTERS__<KEY>__*}, and an id taken from another variable needs that variable.
     */
    static List<String> clusterRegistry(String name, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        boolean any = false;
        for (Map.Entry<String, String> e : env.entrySet()) {
            Matcher m = REGISTRY_KEY.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            any = true;
            Matcher ref = EXPRESSION.matcher(e.getValue() == null ? "" : e.getValue());
            if (m.group(2).equals("ID") && ref.find() && ref.group(2) == null && !env.containsKey(ref.group(1))) {
                out.add(name + ": " + e.getKey() + " refers to " + ref.group(1) + ", which is not set");
            }
        }
        if (!any) {
            out.add(name + ": no cluster registry entry (FLEETDOCTOR_CLUSTERS__<KEY>__ID/CONTEXT/KUBECONFIG/CLASS):"
                    + " every decision would be refused");
        }
        return out;
    }
}
