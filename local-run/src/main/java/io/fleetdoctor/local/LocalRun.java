package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.infra.Ports;
import io.fleetdoctor.infra.SharedInfra;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./fleetdoctor up} and {@code ./fleetdoctor demo}: the embedded Kafka broker and PostgreSQL,
 * a simulated cluster (or a real one from a kubeconfig), and the three services as separate
 * processes, the way they run in production; then the incident followed step by step.
 * {@code demo} approves as the demo approver, waits for SUCCEEDED, prints a summary and exits 0,
 * or exits 1 with the reason when a step fails or takes longer than its bound. With {@code --fleet},
 * {@link FleetRun} runs four simulated clusters instead, with these helpers.
 */
public final class LocalRun {
    static final String CLUSTER = "demo-1";
    static final List<String> NODES = List.of("master01", "node01", "node02");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** The users of the analyzer and remediator APIs in the local profile (roles in their application.properties). */
    static final List<String> USERS = List.of("viewer", "approver", "approver2", "admin");

    /**
     * Command-line options.
     *
     * @param scenario   what the simulated cluster plays: {@code flannel-iface} (the incident) or {@code flannel-oom}
     * @param bondedNode a simulated node with its InternalIP on bond0 and its default route on a VLAN, or null
     */
    public record Options(boolean demo, Path root, Path kubeconfig, String context, String cluster,
                          boolean fixedPorts, Duration bound, PrintStream out, String scenario, String bondedNode) {
        public Options(boolean demo, Path root, Path kubeconfig, String context, String cluster, boolean fixedPorts,
                       Duration bound, PrintStream out, String scenario) {
            this(demo, root, kubeconfig, context, cluster, fixedPorts, bound, out, scenario, null);
        }
    }

    final Options opt;
    private final PrintStream out;
    final Path work;
    final List<Child> children = new ArrayList<>();
    /** Ports handed out in this run: a port is given once, even if a child has not bound it yet. */
    private final java.util.Set<Integer> taken = new java.util.HashSet<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    volatile boolean stopping;
    /** user -> password: the demo ones against the simulated cluster, one-time ones against a real cluster. */
    final Map<String, String> passwords;

    record Child(String name, Process process, Path log, int port) {
    }

    public LocalRun(Options opt) throws IOException {
        this.opt = opt;
        this.out = opt.out();
        this.work = Files.createDirectories(opt.root().resolve(".fleetdoctor")
                .resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        this.passwords = passwords(opt.kubeconfig() != null, new SecureRandom());
    }

    /**
     * The password of each user: {@code <user>-demo} (the digests the local profile ships) for the simulated
     * cluster; with a real cluster, random one-time passwords (128 bits), never written anywhere.
     */
    static Map<String, String> passwords(boolean oneTime, SecureRandom random) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String user : USERS) {
            if (oneTime) {
                byte[] bytes = new byte[16];
                random.nextBytes(bytes);
                p.put(user, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            } else {
                p.put(user, user + "-demo");
            }
        }
        return p;
    }

    /** The environment that replaces the demo digests of the services' local profile by those of these passwords. */
    static Map<String, String> userEnv(Map<String, String> passwords) {
        Map<String, String> env = new LinkedHashMap<>();
        passwords.forEach((user, password) -> env.put(
                "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_" + user.toUpperCase(Locale.ROOT), digest(user, password)));
        return env;
    }

    /** The services' digest-md5 form: HEX(MD5(user:fleetdoctor:password)). */
    static String digest(String user, String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest((user + ":fleetdoctor:" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean demo = false;
        Path kubeconfig = null;
        String context = null;
        String cluster = null;
        boolean fixed = true;
        Duration bound = null;
        boolean fleet = false;
        String scenario = "flannel-iface";
        String bondedNode = null;
        Path root = Path.of(System.getProperty("fleetdoctor.root", ".")).toAbsolutePath().normalize();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "up" -> demo = false;
                case "demo" -> demo = true;
                case "--kubeconfig" -> kubeconfig = Path.of(args[++i]).toAbsolutePath();
                case "--context" -> context = args[++i];
                case "--cluster" -> cluster = args[++i];
                case "--free-ports" -> fixed = false;
                case "--bound" -> bound = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--scenario" -> scenario = args[++i];
                case "--bonded-node" -> bondedNode = args[++i];
                case "--fleet" -> fleet = true;
                default -> {
                    System.err.println("usage: fleetdoctor up|demo [--kubeconfig FILE [--context C] [--cluster ID]]"
                            + " [--scenario flannel-iface|flannel-oom] [--bonded-node NODE] [--free-ports] [--bound SECONDS]"
                            + "\n       fleetdoctor up|demo --fleet [--free-ports] [--bound SECONDS]");
                    System.exit(2);
                }
            }
        }
        if (fleet && (kubeconfig != null || cluster != null || bondedNode != null || !"flannel-iface".equals(scenario))) {
            System.err.println("fleetdoctor --fleet simulates its own four clusters: no --kubeconfig, --cluster,"
                    + " --scenario or --bonded-node");
            System.exit(2);
        }
        if (bound == null) {
            bound = Duration.ofMinutes(fleet ? 6 : 4); // the fleet's live fixes run one after another
        }
        if (demo && kubeconfig != null) {
            System.err.println("fleetdoctor demo runs against the simulated cluster only; use `up --kubeconfig`");
            System.exit(2);
        }
        LocalRun run = new LocalRun(new Options(demo, root, kubeconfig, context,
                cluster != null ? cluster : kubeconfig == null ? CLUSTER : clusterIdOf(context), fixed, bound, System.out,
                scenario, bondedNode));
        Runtime.getRuntime().addShutdownHook(new Thread(run::stop, "fleetdoctor-stop"));
        int rc;
        try {
            rc = fleet ? new FleetRun(run).run() : run.run();
        } catch (StepFailed e) {
            System.out.println();
            System.out.println("FAILED: " + e.getMessage());
            run.printLogTails();
            rc = 1;
        }
        System.exit(rc);
    }

    private static String clusterIdOf(String context) {
        String id = context == null ? "local" : context.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-")
                .replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        return id.isEmpty() ? "local" : id;
    }

    /** A step did not happen in time or failed. */
    public static final class StepFailed extends RuntimeException {
        public StepFailed(String message) {
            super(message);
        }
    }

    /** Runs until interrupted ({@code up}) or until the incident is fixed ({@code demo}); returns the exit code. */
    public int run() throws Exception {
        Instant start = Instant.now();
        step("starting the embedded Kafka broker and PostgreSQL");
        SharedInfra infra = SharedInfra.get();
        say("  kafka     %s", infra.kafka().bootstrapServers());
        say("  postgres  %s", infra.postgres().jdbcUrl());

        Path kubeconfig = opt.kubeconfig();
        Path sim = work.resolve("cluster");
        if (kubeconfig == null) {
            step("starting the simulated cluster %s (the incident of INCIDENT.md on 3 nodes)", opt.cluster());
            Files.createDirectories(sim);
            List<String> simArgs = new ArrayList<>(List.of("--scenario", opt.scenario()));
            if (opt.bondedNode() != null) {
                simArgs.addAll(List.of("--bonded-node", opt.bondedNode()));
            }
            children.add(spawn("simulator", simulatorCommand(sim, opt.cluster(), simArgs), Map.of(), 0,
                    line -> line.startsWith("simulator:") ? line : null));
            await("the simulated cluster is ready", Duration.ofSeconds(90), () -> Files.exists(sim.resolve("ready")));
            kubeconfig = sim.resolve("kubeconfig");
        } else {
            step("watching the real cluster of %s%s as %s (remediation still needs approval)", kubeconfig,
                    opt.context() == null ? "" : " context " + opt.context(), opt.cluster());
        }

        Map<String, String> common = commonEnv(infra);
        Map<String, String> db = dbEnv(infra);
        if (opt.kubeconfig() != null) {
            // a real cluster: the demo passwords are public, so the APIs get one-time users instead
            db.putAll(userEnv(passwords));
        }
        if (opt.context() != null) {
            kubeconfig = withCurrentContext(kubeconfig, opt.context());
        }
        Map<String, String> kube = new LinkedHashMap<>();
        kube.put("KUBECONFIG", kubeconfig.toString());

        step("starting the services");
        int analyzerPort = port(8081);
        int remediatorPort = port(8083);
        int collectorPort = port(8082);
        Map<String, String> analyzerEnv = new LinkedHashMap<>(db);
        analyzerEnv.put("FLEETDOCTOR_ANALYZER_CLUSTER_SEEN_FLUSH", "2s");
        Child analyzer = service("analyzer", "analyzer-service", analyzerPort, analyzerEnv);
        Map<String, String> remEnv = remediatorEnv(db, remediatorPort);
        remEnv.putAll(kube);
        remEnv.put("FLEETDOCTOR_CLUSTERS__LOCAL__ID", opt.cluster()); // the registry: the one cluster of this run
        remEnv.put("FLEETDOCTOR_CLUSTERS__LOCAL__KUBECONFIG", kubeconfig.toString());
        Child remediator = service("remediator", "remediator-service", remediatorPort, remEnv);
        List<Child> collectors = new ArrayList<>();
        collectors.add(service("collector", "collector-service", collectorPort,
                clusterCollectorEnv(common, kubeconfig, opt.cluster())));
        if (opt.kubeconfig() == null) {
            for (int i = 0; i < NODES.size(); i++) {
                collectors.add(nodeAgent("agent-" + NODES.get(i), port(8090 + i),
                        agentEnv(common, opt.cluster(), sim, NODES.get(i), i)));
            }
        } else {
            say("  (no node agents: with a real cluster they run as the collector DaemonSet on the nodes, see k8s/)");
        }
        for (Child c : children) {
            if (c.port() > 0) {
                awaitReady(c);
            }
        }
        say("");
        say("  analyzer    http://localhost:%d/api/incidents   (OpenAPI /q/openapi)", analyzerPort);
        if (opt.kubeconfig() == null) {
            say("  remediator  http://localhost:%d/ui/   API /api/plans   (demo users: viewer, approver, approver2, admin;"
                    + " password <user>-demo)", remediatorPort);
        } else {
            say("  remediator  http://localhost:%d/ui/   API /api/plans", remediatorPort);
            say("  one-time passwords of this run (shown only now, not stored):");
            passwords.forEach((user, password) -> say("    %-9s %s", user, password));
        }
        say("  collector   http://localhost:%d/q/health   + %d node agents", collectorPort, collectors.size() - 1);
        say("  logs        %s", work);
        say("");
        say("Following the incident (Ctrl-C stops everything)...");
        return follow(start, analyzer, remediator);
    }

    /** What every service of the run gets: the broker, the local profile, a short log format. */
    static Map<String, String> commonEnv(SharedInfra infra) {
        Map<String, String> common = new LinkedHashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        common.put("QUARKUS_PROFILE", "local");
        common.put("QUARKUS_LOG_CONSOLE_FORMAT", "%d{HH:mm:ss} %-5p [%c{2.}] %s%e%n");
        return common;
    }

    /**
     * {@link #commonEnv} and the database: for the analyzer and the remediator. Each run gets a database of its own,
     * so nothing an earlier run in the same JVM stored counts (e.g. its incidents towards the storm guard's
     * threshold when the ITs run one after another).
     */
    static Map<String, String> dbEnv(SharedInfra infra) {
        Map<String, String> db = commonEnv(infra);
        db.put("QUARKUS_DATASOURCE_JDBC_URL", infra.postgres().createDatabase("run_"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss_SSS"))));
        db.put("QUARKUS_DATASOURCE_USERNAME", infra.postgres().user());
        db.put("QUARKUS_DATASOURCE_PASSWORD", infra.postgres().password());
        return db;
    }

    /** The remediator's: short verify window and rollout timeout, so a demo ends in minutes. */
    static Map<String, String> remediatorEnv(Map<String, String> db, int port) {
        Map<String, String> env = new LinkedHashMap<>(db);
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_VERIFY_WINDOW", "PT20S");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_ROLLOUT_TIMEOUT", "PT60S");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_POLL", "1s");
        env.put("FLEETDOCTOR_REMEDIATOR_PUBLIC_URL", "http://localhost:" + port);
        return env;
    }

    /** The collector in cluster mode, watching the API server of {@code kubeconfig}. */
    static Map<String, String> clusterCollectorEnv(Map<String, String> common, Path kubeconfig, String cluster) {
        Map<String, String> env = new LinkedHashMap<>(common);
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("FLEETDOCTOR_COLLECTOR_MODE", "cluster");
        env.put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", cluster);
        env.put("FLEETDOCTOR_COLLECTOR_HEARTBEAT_INTERVAL", "5s");
        return env;
    }

    /**
     * The environment of a node agent ({@link #nodeAgent}) reading the simulated node's procfs and sysfs; the i-th node's
     * InternalIP is 192.168.10.(11+i).
     */
    static Map<String, String> agentEnv(Map<String, String> common, String cluster, Path sim, String node, int i) {
        Map<String, String> env = new LinkedHashMap<>(common);
        env.put("FLEETDOCTOR_COLLECTOR_MODE", "node");
        env.put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", cluster);
        env.put("NODE_NAME", node);
        env.put("HOST_IP", "192.168.10." + (11 + i));
        env.put("FLEETDOCTOR_COLLECTOR_PROCFS", sim.resolve("nodes").resolve(node).resolve("proc").toString());
        env.put("FLEETDOCTOR_COLLECTOR_SYSFS", sim.resolve("nodes").resolve(node).resolve("sys").toString());
        env.put("FLEETDOCTOR_COLLECTOR_INTERVAL", "2s");
        env.put("FLEETDOCTOR_COLLECTOR_HEARTBEAT_INTERVAL", "5s");
        return env;
    }

    /** The simulator's command line: a cluster in {@code dir} with a restart every 5 s, plus {@code args}. */
    List<String> simulatorCommand(Path dir, String cluster, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-jar",
                jar("simulator/target", "fleetdoctor-simulator").toString(), "--dir", dir.toString(),
                "--cluster", cluster, "--restart-every", "5s", "--watch-stdin"));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * The services take their cluster from KUBECONFIG's current context: a copy of the file with the
     * chosen context made current, next to the original so relative certificate paths still resolve.
     */
    private Path withCurrentContext(Path kubeconfig, String context) throws IOException {
        String text = Files.readString(kubeconfig, StandardCharsets.UTF_8);
        if (!text.contains("name: " + context)) {
            throw new StepFailed("context " + context + " is not in " + kubeconfig);
        }
        String line = "current-context: " + context;
        text = text.matches("(?s).*(^|\\n)current-context:.*") ? text.replaceAll("(?m)^current-context:.*$", line)
                : text + "\n" + line + "\n";
        Path dir = Files.isWritable(kubeconfig.getParent()) ? kubeconfig.getParent() : work;
        Path copy = dir.resolve(".fleetdoctor-kubeconfig-" + context.replaceAll("[^A-Za-z0-9._-]", "_"));
        Files.writeString(copy, text, StandardCharsets.UTF_8);
        copy.toFile().deleteOnExit();
        return copy;
    }

    /** Polls the analyzer and the remediator and prints each step once. */
    private int follow(Instant start, Child analyzer, Child remediator) throws Exception {
        String admin = basic("admin", passwords.get("admin"));
        String approver = basic("approver", passwords.get("approver"));
        String viewer = basic("viewer", passwords.get("viewer"));
        Map<String, String> incidentStatus = new HashMap<>();
        Map<String, String> planState = new HashMap<>();
        ApprovalWait waiting = new ApprovalWait(Clock.systemUTC(), remediator.port());
        Instant detected = null;
        Instant approved = null;
        Instant deadline = Instant.now().plus(opt.bound());
        while (!stopping) {
            checkAlive();
            JsonNode incidents = get(analyzer.port(), "/api/incidents?cluster=" + opt.cluster(), viewer);
            if (incidents != null) {
                for (JsonNode i : incidents.path("items")) {
                    String id = i.path("incidentId").asText();
                    String status = i.path("status").asText();
                    if (!status.equals(incidentStatus.put(id, status))) {
                        if ("open".equals(status) && detected == null) {
                            detected = Instant.now();
                        }
                        step("incident %s %s: %s", id, status, i.path("summary").asText());
                        if ("open".equals(status)) {
                            printEvidence(analyzer.port(), id, viewer);
                        }
                    }
                }
            }
            JsonNode plans = get(remediator.port(), "/api/plans?cluster=" + opt.cluster(), admin);
            if (plans != null) {
                for (JsonNode p : plans.path("items").isMissingNode() ? plans : plans.path("items")) {
                    String id = p.path("planId").asText(p.path("id").asText());
                    String state = p.path("state").asText();
                    // a person may have missed the first lines among the simulator's: say it again each minute
                    String reminder = opt.demo() ? null : waiting.poll(id, state);
                    if (reminder != null) {
                        say("  %s", reminder);
                    }
                    if (!state.equals(planState.put(id, state))) {
                        String fixed = waiting.changed(id, state);
                        if (!opt.demo() && fixed != null) {
                            say("  %s", fixed);
                        }
                        step("plan %s %s", id, state);
                        if ("PENDING_APPROVAL".equals(state)) {
                            printPlan(remediator.port(), id, admin);
                            if (opt.demo()) {
                                step("approving as the demo approver 'approver'");
                                // approvals carry the plan hash of the plan as read
                                int code = post(remediator.port(), "/api/plans/" + id + "/approve",
                                        "{\"comment\":\"fleetdoctor demo\",\"planHash\":\""
                                                + p.path("planHash").asText() + "\"}", approver);
                                if (code / 100 != 2) {
                                    throw new StepFailed("approval of " + id + " answered HTTP " + code);
                                }
                                approved = Instant.now();
                            } else {
                                say("    approve:  curl -u %s -X POST -H 'Content-Type: application/json'"
                                        + " -d '{\"planHash\":\"%s\"}' http://localhost:%d/api/plans/%s/approve",
                                        opt.kubeconfig() == null ? "approver:approver-demo" : "approver",
                                        p.path("planHash").asText(), remediator.port(), id);
                                say("    or open   http://localhost:%d/ui/", remediator.port());
                            }
                        }
                        if (opt.demo() && "SUCCEEDED".equals(state)) {
                            Instant done = Instant.now();
                            say("");
                            say("SUMMARY");
                            say("  system up and incident detected: %s after start", human(Duration.between(start,
                                    detected == null ? done : detected)));
                            if (approved != null) {
                                say("  time to fix (approval → verified): %s", human(Duration.between(approved, done)));
                            }
                            say("  total: %s", human(Duration.between(start, done)));
                            return 0;
                        }
                        if (opt.demo() && List.of("FAILED", "ROLLED_BACK", "STALE", "REJECTED", "EXPIRED", "CANCELLED")
                                .contains(state)) {
                            throw new StepFailed("plan " + id + " ended " + state);
                        }
                    }
                }
            }
            if (opt.demo() && Instant.now().isAfter(deadline)) {
                throw new StepFailed("no SUCCEEDED plan within " + human(opt.bound()) + " (incidents " + incidentStatus
                        + ", plans " + planState + ")");
            }
            Thread.sleep(1000);
        }
        return 0;
    }

    void printEvidence(int port, String id, String auth) {
        JsonNode d = get(port, "/api/incidents/" + id, auth);
        if (d == null) {
            return;
        }
        for (JsonNode e : d.path("evidence")) {
            say("    evidence  %s", e.path("fact").asText());
        }
        JsonNode r = d.path("recommendation");
        if (!r.isMissingNode() && !r.isNull()) {
            say("    proposal  image %s, iface %s%s", r.path("targetImage").asText("(keep)"), r.path("iface"),
                    r.path("ifaceRegex").isNull() ? "" : " regex " + r.path("ifaceRegex").asText());
        }
    }

    void printPlan(int port, String id, String auth) {
        JsonNode p = get(port, "/api/plans/" + id, auth);
        if (p == null) {
            return;
        }
        String diff = p.path("diff").asText("");
        for (String line : diff.split("\n")) {
            if (!line.isBlank()) {
                say("    %s", line);
            }
        }
    }

    // ------------------------------------------------------------------ processes

    Child service(String name, String module, int port, Map<String, String> env) throws IOException {
        return service(name, module, port, env, List.of("-Xmx256m"));
    }

    /** A Quarkus service as a child process with these JVM options (heap, processors) before the run's own. */
    Child service(String name, String module, int port, Map<String, String> env, List<String> jvm) throws IOException {
        Path app = opt.root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(app)) {
            throw new StepFailed(app + " is missing: build first (./fleetdoctor build)");
        }
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", app + ":" + watchdogClasses(), "io.fleetdoctor.infra.ParentWatchdog",
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint"));
        Child c = spawn(name, cmd, e, port, "remediator".equals(name) ? LocalRun::slackLine : null);
        children.add(c);
        say("  %-18s pid %-7d port %d", name, c.process().pid(), port);
        return c;
    }

    /**
     * The lean node agent (collector-service's NodeAgentMain, what the DaemonSet runs) as a child process, on the class
     * path the image gives it: the app jar and target/node-agent (collector-service's pom, node-agent-classpath).
     */
    Child nodeAgent(String name, int port, Map<String, String> env) throws IOException {
        Path target = opt.root().resolve("collector-service/target");
        if (!Files.isDirectory(target.resolve("node-agent")) || !Files.isDirectory(target.resolve("quarkus-app/app"))) {
            throw new StepFailed(target.resolve("node-agent") + " is missing: build first (./fleetdoctor build)");
        }
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("FLEETDOCTOR_COLLECTOR_HTTP_PORT", Integer.toString(port));
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:ActiveProcessorCount=1", "-cp", target.resolve("quarkus-app/app/*") + ":"
                        + target.resolve("node-agent/*") + ":" + watchdogClasses(),
                "io.fleetdoctor.infra.ParentWatchdog", "io.fleetdoctor.collector.node.NodeAgentMain"));
        Child c = spawn(name, cmd, e, port, null);
        children.add(c);
        say("  %-18s pid %-7d port %d", name, c.process().pid(), port);
        return c;
    }

    /** A service started by {@link #startService}: its process (a fault test may kill it), HTTP port and log. */
    record Started(Process process, int port, Path log) {
    }

    /**
     * Starts one more service of this run as a child process on the shared broker and database (local profile),
     * with {@code env} on top, and waits until it is ready: for fault tests that run several instances of a
     * service or kill one. {@link #stop()} stops it with the others.
     */
    Started startService(String name, String module, Map<String, String> env) throws IOException {
        Map<String, String> e = dbEnv(SharedInfra.get());
        e.putAll(env);
        Child c = service(name, module, port(8081), e);
        awaitReady(c);
        return new Started(c.process(), c.port(), c.log());
    }

    /** The local Slack sink's log line, shortened to the message text; null for any other line. */
    static String slackLine(String line) {
        int sink = line.indexOf("Slack message (no webhook configured");
        if (sink < 0) {
            return null;
        }
        try {
            JsonNode msg = JSON.readTree(line.substring(line.indexOf('{', sink)));
            return "slack: " + msg.path("text").asText();
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return "slack: " + line.substring(sink);
        }
    }

    /**
     * Starts a child with its output in its log file; when {@code echo} is given, the lines it maps
     * to text are also printed (the simulator's story, the local Slack sink's messages).
     */
    Child spawn(String name, List<String> cmd, Map<String, String> env, int port,
                        java.util.function.Function<String, String> echo) throws IOException {
        Path log = work.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // closes when we die: the child's watchdog exits
        Process p;
        if (echo != null) {
            p = pb.start();
            Thread t = new Thread(() -> copyLines(p, log, echo), name + "-out");
            t.setDaemon(true);
            t.start();
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            p = pb.start();
        }
        return new Child(name, p, log, port);
    }

    private void copyLines(Process p, Path log, java.util.function.Function<String, String> echo) {
        try (var r = p.inputReader(StandardCharsets.UTF_8); var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                w.flush();
                String shown = echo.apply(line);
                if (shown != null) {
                    say("%s %s", LocalDateTime.now().format(CLOCK), shown);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    void awaitReady(Child c) {
        await(c.name() + " is ready", Duration.ofSeconds(180), () -> {
            if (!c.process().isAlive()) {
                throw new StepFailed(died(c));
            }
            // the port must be this child's: another process answering there would pass the health check
            if (!listening(c)) {
                return false;
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port()
                        + "/q/health/ready")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return r.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        say("  %-18s ready", c.name());
    }

    void checkAlive() {
        for (Child c : children) {
            if (!c.process().isAlive() && !stopping) {
                throw new StepFailed(died(c));
            }
        }
    }

    /** Why a child is gone, with the end of its log: the one thing a failed CI run shows. */
    private static String died(Child c) {
        return c.name() + " exited with " + c.process().exitValue() + "; see " + c.log() + "; its last lines:\n"
                + String.join("\n", tail(c.log(), 20));
    }

    private static List<String> tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }

    /** Quarkus logs "Listening on: http://0.0.0.0:PORT" once its HTTP server is bound. */
    private static boolean listening(Child c) {
        return tail(c.log(), 400).stream().anyMatch(l -> l.contains("Listening on: ") && l.endsWith(":" + c.port()));
    }

    /** The HTTP port of each running child with one (services and node agents), by name. */
    public synchronized Map<String, Integer> httpPorts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Child c : children) {
            if (c.port() > 0 && c.process().isAlive()) {
                out.put(c.name(), c.port());
            }
        }
        return out;
    }

    /** Stops the services, then the simulator; the broker and database stop with their own hook. */
    public synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        List<Child> reverse = new ArrayList<>(children);
        java.util.Collections.reverse(reverse);
        for (Child c : reverse) {
            c.process().destroy();
        }
        for (Child c : reverse) {
            try {
                if (!c.process().waitFor(20, TimeUnit.SECONDS)) {
                    c.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                c.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        out.println("fleetdoctor: stopped " + children.size() + " processes");
    }

    void printLogTails() {
        for (Child c : children) {
            out.println("---- " + c.name() + " (" + c.log() + ")");
            tail(c.log(), 15).forEach(out::println);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A port no one listens on (tried on the wildcard address, where Quarkus binds) and not yet handed to
     * another child of this run: the kernel may give a released port again before its child binds it.
     */
    int port(int preferred) {
        if (opt.fixedPorts() && !taken.contains(preferred) && bindable(preferred)) {
            taken.add(preferred);
            return preferred;
        }
        for (int i = 0; i < 50; i++) {
            int p = Ports.free();
            if (!taken.contains(p) && bindable(p)) {
                if (opt.fixedPorts()) {
                    say("  port %d is busy, using %d", preferred, p);
                }
                taken.add(p);
                return p;
            }
        }
        throw new StepFailed("no free port found");
    }

    private static boolean bindable(int port) {
        try (var s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (IOException busy) {
            return false;
        }
    }

    Path jar(String dir, String prefix) throws IOException {
        Path d = opt.root().resolve(dir);
        try (var s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".jar"))
                    .findFirst().orElseThrow(() -> new StepFailed("no " + prefix + "*.jar in " + d + ": build first"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new StepFailed(d + " is missing: build first (./fleetdoctor build)");
        }
    }

    private String watchdogClasses() {
        return opt.root().resolve("embedded-infra/target/classes").toString();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    JsonNode get(int port, String path, String auth) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).header("Accept", "application/json").GET();
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    int post(int port, String path, String body, String auth) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            say("    %s → %d %s", path, r.statusCode(), r.body());
        }
        return r.statusCode();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    interface Check {
        boolean ok() throws Exception;
    }

    void await(String what, Duration timeout, Check check) {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            try {
                if (check.ok()) {
                    return;
                }
                Thread.sleep(500);
            } catch (StepFailed e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailed("interrupted while waiting until " + what);
            } catch (Exception e) {
                // not yet
            }
        }
        throw new StepFailed("timed out after " + human(timeout) + " waiting until " + what);
    }

    void step(String format, Object... args) {
        say("%s %s", LocalDateTime.now().format(CLOCK), String.format(Locale.ROOT, format, args));
    }

    void say(String format, Object... args) {
        synchronized (out) {
            out.println(String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }
}
