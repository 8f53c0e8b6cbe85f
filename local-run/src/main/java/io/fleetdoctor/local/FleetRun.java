package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetdoctor.infra.SharedInfra;
import io.fleetdoctor.local.LocalRun.Child;
import io.fleetdoctor.local.LocalRun.StepFailed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.fleetdoctor.local.LocalRun.basic;
import static io.fleetdoctor.local.LocalRun.human;

/**
 * {@code ./fleetdoctor up --fleet} and {@code demo --fleet}: four simulated clusters of different shapes at once,
 * each with its own mock API server, cluster-mode collector and node agents, on one broker, database, analyzer
 * and remediator. {@code demo} approves what can be fixed live, waits until every live fix is SUCCEEDED, shows the
 * managed cluster's source change and prints one line per cluster; it exits 1 with the reason when a step fails,
 * the bound passes, or the healthy cluster gets an incident or a plan.
 */
final class FleetRun {
    /** Two nodes per cluster: 4 clusters already mean 12 collector JVMs on the machine. */
    static final List<String> NODES = List.of("master01", "node01");
    static final List<String> APPROVERS = List.of("approver", "approver2");
    static final List<String> ENDED_BADLY = List.of("FAILED", "ROLLED_BACK", "STALE", "REJECTED", "EXPIRED",
            "CANCELLED");
    private static final Pattern RESTART_COUNT = Pattern.compile("restarted \\(restartCount (\\d+)");
    /**
     * The cluster watchers' JVM options: a small heap, and one processor so each sizes its thread pools (event loops, GC,
     * JIT) for one; they share the machine with the node agents (LocalRun.nodeAgent, the lean agent).
     */
    static final List<String> COLLECTOR_JVM = List.of("-Xmx128m", "-XX:ActiveProcessorCount=1");

    /** What a cluster of the fleet must end with. */
    enum Expect {
        /** no incident and no plan */
        NOTHING,
        /** a plan executable live, approved by the demo and SUCCEEDED */
        LIVE_FIX,
        /** a plan not executable live (a managed DaemonSet) with its change at the source; never approved */
        SOURCE_CHANGE
    }

    /**
     * One cluster of the fleet.
     *
     * @param clusterClass the remediator's approval class (prod needs two approvals), or null for the default
     */
    record Shape(String cluster, String shape, String clusterClass, List<String> simulatorArgs, Expect expect) {
        boolean healthy() {
            return expect == Expect.NOTHING;
        }

        String registryKey() {
            return cluster.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    static final List<Shape> FLEET = List.of(
            new Shape("fleet-healthy", "healthy: flannel v0.28.9 with --iface=eth0", null,
                    List.of("--scenario", "healthy"), Expect.NOTHING),
            new Shape("fleet-seed", "seed incident", null, List.of("--scenario", "flannel-iface"), Expect.LIVE_FIX),
            new Shape("fleet-bonded", "seed incident, bond0 on node01, class prod", "prod",
                    List.of("--scenario", "flannel-iface", "--bonded-node", "node01"), Expect.LIVE_FIX),
            new Shape("fleet-helm", "seed incident, Helm-managed DaemonSet", null,
                    List.of("--scenario", "flannel-iface", "--helm"), Expect.SOURCE_CHANGE));

    /** What the run saw of one cluster. */
    static final class Seen {
        final Shape shape;
        String incident;
        String incidentStatus;
        String plan;
        String planState;
        Boolean live;
        String manager;
        Instant detected;
        Instant approved;
        Instant done;
        boolean sourceShown;
        /** id -> last printed status or state: each change is printed once. */
        final Map<String, String> printed = new LinkedHashMap<>();

        Seen(Shape shape) {
            this.shape = shape;
        }

        /** demo is done with this cluster (a healthy one as long as nothing happens to it). */
        boolean finished() {
            return switch (shape.expect()) {
                case NOTHING -> true;
                case LIVE_FIX -> "SUCCEEDED".equals(planState);
                case SOURCE_CHANGE -> sourceShown;
            };
        }
    }

    private final LocalRun run;
    private final Map<String, Seen> seen = new LinkedHashMap<>();
    /** Set when following: the approval reminders and closing lines of {@code up}. */
    private ApprovalWait waiting;

    FleetRun(LocalRun run) {
        this.run = run;
        FLEET.forEach(s -> seen.put(s.cluster(), new Seen(s)));
    }

    int run() throws Exception {
        Instant start = Instant.now();
        run.step("starting the embedded Kafka broker and PostgreSQL");
        SharedInfra infra = SharedInfra.get();
        run.say("  kafka     %s", infra.kafka().bootstrapServers());
        run.say("  postgres  %s", infra.postgres().jdbcUrl());

        run.step("starting %d simulated clusters of %d nodes, each with its own API server", FLEET.size(), NODES.size());
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Shape s : FLEET) {
            Path dir = Files.createDirectories(run.work.resolve(s.cluster()));
            dirs.put(s.cluster(), dir);
            List<String> args = new ArrayList<>(s.simulatorArgs());
            args.addAll(List.of("--nodes", Integer.toString(NODES.size())));
            run.children.add(run.spawn("sim-" + s.cluster(), run.simulatorCommand(dir, s.cluster(), args), Map.of(), 0,
                    line -> simulatorLine(s.cluster(), line)));
            run.say("  %-14s %s", s.cluster(), s.shape());
        }
        for (Shape s : FLEET) {
            Path ready = dirs.get(s.cluster()).resolve("ready");
            run.await(s.cluster() + " is ready", Duration.ofSeconds(120), () -> {
                run.checkAlive();
                return Files.exists(ready);
            });
        }

        run.step("starting the services: one analyzer and one remediator for the fleet; per cluster a collector"
                + " and %d node agents", NODES.size());
        Map<String, String> common = LocalRun.commonEnv(infra);
        Map<String, String> db = LocalRun.dbEnv(infra);
        int analyzerPort = run.port(8081);
        int remediatorPort = run.port(8083);
        Map<String, String> analyzerEnv = new LinkedHashMap<>(db);
        analyzerEnv.put("FLEETDOCTOR_ANALYZER_CLUSTER_SEEN_FLUSH", "2s");
        Child analyzer = run.service("analyzer", "analyzer-service", analyzerPort, analyzerEnv);
        Map<String, String> remEnv = LocalRun.remediatorEnv(db, remediatorPort);
        for (Shape s : FLEET) { // the registry: every cluster of the fleet with its own kubeconfig
            String key = "FLEETDOCTOR_CLUSTERS__" + s.registryKey() + "__";
            remEnv.put(key + "ID", s.cluster());
            remEnv.put(key + "KUBECONFIG", dirs.get(s.cluster()).resolve("kubeconfig").toString());
            if (s.clusterClass() != null) {
                remEnv.put(key + "CLASS", s.clusterClass());
            }
        }
        Child remediator = run.service("remediator", "remediator-service", remediatorPort, remEnv);
        run.awaitReady(analyzer);
        run.awaitReady(remediator);
        // one cluster's collectors at a time: many start-ups at once starve the mock API servers
        for (int k = 0; k < FLEET.size(); k++) {
            String cluster = FLEET.get(k).cluster();
            Path dir = dirs.get(cluster);
            List<Child> started = new ArrayList<>();
            started.add(run.service("collector-" + cluster, "collector-service", run.port(8100 + 10 * k),
                    LocalRun.clusterCollectorEnv(common, dir.resolve("kubeconfig"), cluster), COLLECTOR_JVM));
            for (int i = 0; i < NODES.size(); i++) {
                started.add(run.nodeAgent("agent-" + cluster + "-" + NODES.get(i), run.port(8101 + 10 * k + i),
                        LocalRun.agentEnv(common, cluster, dir, NODES.get(i), i)));
            }
            for (Child c : started) {
                run.awaitReady(c);
            }
        }
        run.say("");
        run.say("  analyzer    http://localhost:%d/api/fleet/summary   /api/incidents", analyzerPort);
        run.say("  remediator  http://localhost:%d/ui/   API /api/plans   (demo users: viewer, approver, approver2,"
                + " admin; password <user>-demo)", remediatorPort);
        run.say("  logs        %s", run.work);
        run.say("  %d processes, %s after start", run.children.size(), human(Duration.between(start, Instant.now())));
        run.say("");
        run.say("Following the fleet (Ctrl-C stops everything)...");
        return follow(start, analyzer.port(), remediator.port());
    }

    /** The simulator's story with its cluster in front; restarts only up to the third (detection needs three). */
    static String simulatorLine(String cluster, String line) {
        if (!line.startsWith("simulator:")) {
            return null;
        }
        Matcher m = RESTART_COUNT.matcher(line);
        if (m.find() && Integer.parseInt(m.group(1)) > 3) {
            return null;
        }
        return "[" + cluster + "] " + line;
    }

    private int follow(Instant start, int analyzer, int remediator) throws Exception {
        String admin = basic("admin", run.passwords.get("admin"));
        String viewer = basic("viewer", run.passwords.get("viewer"));
        Instant deadline = Instant.now().plus(run.opt.bound());
        waiting = new ApprovalWait(Clock.systemUTC(), remediator);
        while (!run.stopping) {
            run.checkAlive();
            for (Seen s : seen.values()) {
                incidents(s, analyzer, viewer);
                plans(s, remediator, admin);
            }
            if (run.opt.demo() && seen.values().stream().allMatch(Seen::finished)) {
                awaitHealthySeen(analyzer, viewer);
                summary(start);
                return 0;
            }
            if (run.opt.demo() && Instant.now().isAfter(deadline)) {
                throw new StepFailed("not every cluster finished within " + human(run.opt.bound()) + ": " + states());
            }
            Thread.sleep(1000);
        }
        return 0;
    }

    private void incidents(Seen s, int analyzer, String viewer) {
        JsonNode incidents = run.get(analyzer, "/api/incidents?cluster=" + s.shape.cluster(), viewer);
        if (incidents == null) {
            return;
        }
        for (JsonNode i : incidents.path("items")) {
            String id = i.path("incidentId").asText();
            String status = i.path("status").asText();
            if (status.equals(s.printed.put(id, status))) {
                continue;
            }
            s.incident = id;
            s.incidentStatus = status;
            run.step("[%s] incident %s %s: %s", s.shape.cluster(), id, status, i.path("summary").asText());
            unexpected(s, "an incident (" + id + " " + status + ": " + i.path("summary").asText() + ")");
            if ("open".equals(status) && s.detected == null) {
                s.detected = Instant.now();
                run.printEvidence(analyzer, id, viewer);
            }
        }
    }

    private void plans(Seen s, int remediator, String admin) throws Exception {
        JsonNode plans = run.get(remediator, "/api/plans?cluster=" + s.shape.cluster(), admin);
        if (plans == null) {
            return;
        }
        for (JsonNode p : plans.path("items")) {
            String id = p.path("id").asText();
            String state = p.path("state").asText();
            String reminder = run.opt.demo() ? null : waiting.poll(id, state);
            if (reminder != null) {
                run.say("  [%s] %s", s.shape.cluster(), reminder);
            }
            if (state.equals(s.printed.put(id, state))) {
                continue;
            }
            String fixed = waiting.changed(id, state);
            if (!run.opt.demo() && fixed != null) {
                run.say("  [%s] %s", s.shape.cluster(), fixed);
            }
            run.step("[%s] plan %s %s", s.shape.cluster(), id, state);
            unexpected(s, "a plan (" + id + " " + state + ")");
            if ("SUPERSEDED".equals(state)) {
                continue; // its incident's newer plan is followed instead
            }
            s.plan = id;
            s.planState = state;
            s.live = p.path("liveExecutable").asBoolean();
            s.manager = p.path("managedBy").isNull() ? null : p.path("managedBy").asText(null);
            if (run.opt.demo() && s.live != (s.shape.expect() == Expect.LIVE_FIX)) {
                throw new StepFailed("[" + s.shape.cluster() + "] plan " + id + " is " + (s.live ? "" : "not ")
                        + "executable live (managed by " + s.manager + "); expected " + s.shape.expect());
            }
            if ("PENDING_APPROVAL".equals(state)) {
                run.printPlan(remediator, id, admin);
                if (!s.live) {
                    showSourceChange(s, remediator, admin);
                } else if (run.opt.demo()) {
                    approve(s, p, remediator);
                } else {
                    run.say("    approve:  curl -u approver:approver-demo -X POST -H 'Content-Type: application/json'"
                            + " -d '{\"planHash\":\"%s\"}' http://localhost:%d/api/plans/%s/approve%s",
                            p.path("planHash").asText(), remediator, id, p.path("approvalsRequired").asInt() > 1
                                    ? "   (then as approver2: " + p.path("approvalsRequired").asInt() + " approvals)"
                                    : "");
                }
            }
            if ("SUCCEEDED".equals(state) && s.done == null) {
                s.done = Instant.now();
            }
            if (run.opt.demo() && ENDED_BADLY.contains(state)) {
                throw new StepFailed("[" + s.shape.cluster() + "] plan " + id + " ended " + state);
            }
        }
    }

    /** In demo, the healthy cluster with an incident or a plan ends the run; in up it is said loudly. */
    private void unexpected(Seen s, String what) {
        if (!s.shape.healthy()) {
            return;
        }
        String msg = "the healthy cluster " + s.shape.cluster() + " got " + what;
        if (run.opt.demo()) {
            throw new StepFailed(msg);
        }
        run.say("  UNEXPECTED: %s", msg);
    }

    /** As many distinct demo approvers as the cluster's class needs, each on the plan hash as read. */
    private void approve(Seen s, JsonNode p, int remediator) throws Exception {
        int required = p.path("approvalsRequired").asInt(1);
        if (required > APPROVERS.size()) {
            throw new StepFailed("[" + s.shape.cluster() + "] needs " + required + " approvals; the demo has "
                    + APPROVERS.size() + " approvers");
        }
        for (String user : APPROVERS.subList(0, required)) {
            run.step("[%s] approving as the demo approver '%s'%s", s.shape.cluster(), user,
                    required > 1 ? " (class " + p.path("clusterClass").asText() + ": " + required + " approvals)" : "");
            int code = run.post(remediator, "/api/plans/" + s.plan + "/approve", "{\"comment\":\"fleetdoctor demo"
                    + " --fleet\",\"planHash\":\"" + p.path("planHash").asText() + "\"}",
                    basic(user, run.passwords.get(user)));
            if (code / 100 != 2) {
                throw new StepFailed("[" + s.shape.cluster() + "] approval of " + s.plan + " by " + user
                        + " answered HTTP " + code);
            }
        }
        s.approved = Instant.now();
    }

    private void showSourceChange(Seen s, int remediator, String admin) {
        JsonNode owner = run.get(remediator, "/api/plans/" + s.plan, admin);
        owner = owner == null ? null : owner.path("owner");
        if (owner == null || owner.isMissingNode() || owner.isNull()) {
            throw new StepFailed("[" + s.shape.cluster() + "] plan " + s.plan + " is not executable live but names"
                    + " no owner");
        }
        run.say("    not executable live: managed by %s (%s); the change at its source, nothing is written to"
                + " the cluster:",
                owner.path("manager").asText(), owner.path("evidence").asText());
        for (String line : owner.path("sourceChange").asText().split("\n")) {
            run.say("      %s", line);
        }
        s.sourceShown = !owner.path("sourceChange").asText().isBlank();
    }

    /** The healthy cluster's collectors must have reached the analyzer, or "no incident" proves nothing. */
    private void awaitHealthySeen(int analyzer, String viewer) {
        for (Seen s : seen.values()) {
            if (!s.shape.healthy()) {
                continue;
            }
            run.await("the analyzer has signals of " + s.shape.cluster(), Duration.ofSeconds(30), () -> {
                JsonNode fleet = run.get(analyzer, "/api/fleet/summary", viewer);
                for (JsonNode c : fleet.path("clusters")) {
                    if (c.path("cluster").asText().equals(s.shape.cluster())
                            && !c.path("lastSignalTime").isNull()) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    private void summary(Instant start) {
        run.say("");
        run.say("SUMMARY (%s after start)", human(Duration.between(start, Instant.now())));
        run.say("  %-14s %-44s %-34s %-24s %-24s %s", "CLUSTER", "SHAPE", "INCIDENT", "PLAN", "FINAL STATE",
                "TIME TO FIX");
        for (Seen s : seen.values()) {
            String plan = s.plan == null ? "none" : s.plan.substring(0, Math.min(8, s.plan.length()))
                    + (Boolean.FALSE.equals(s.live) ? " source change" : " live");
            String state = s.planState == null ? "-" : s.planState + (Boolean.FALSE.equals(s.live)
                    ? " (" + s.manager + ")" : "");
            String fix = s.done == null ? "-" : human(Duration.between(s.approved == null ? s.detected : s.approved,
                    s.done)) + " (approval → verified)";
            run.say("  %-14s %-44s %-34s %-24s %-24s %s", s.shape.cluster(), s.shape.shape(),
                    s.incident == null ? "none" : s.incident + " " + s.incidentStatus, plan, state, fix);
        }
    }

    private String states() {
        List<String> out = new ArrayList<>();
        seen.values().forEach(s -> out.add(s.shape.cluster() + ": incident " + s.incidentStatus + ", plan "
                + s.planState + (Boolean.FALSE.equals(s.live) ? " (not live, source shown " + s.sourceShown + ")" : "")));
        return String.join("; ", out);
    }
}
