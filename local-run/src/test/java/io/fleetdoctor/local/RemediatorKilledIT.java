package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.Ports;
import io.fleetdoctor.infra.SharedInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault test: the remediator killed (SIGKILL) between the patch and the end of verification. Two packaged
 * remediators as child JVMs on the embedded Kafka and PostgreSQL and an in-process fabric8 mock API server (CRUD).
 * The first non-dry-run update of the DaemonSet is stored, then the instance that sent it (told apart by its
 * kubeconfig token) is killed before it gets the answer. The other one must take the plan's lease once it expires,
 * resume the rollout watch without writing again, and verify: one plan, one update, SUCCEEDED, each Slack message
 * once and in order.
 */
class RemediatorKilledIT {
    static final String DS = "kube-flannel-ds";
    static final String NS = "kube-system";
    static final String BAD = "quay.io/coreos/flannel:v0.13.1-rc1";
    static final Duration LEASE = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root = Path.of("..").toAbsolutePath().normalize();
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private KubernetesMockServer api;
    private HttpServer slack;
    private Thread controller;

    /** token → process: who sent an update. */
    private final Map<String, Process> byToken = new HashMap<>();
    private final List<String> updates = new CopyOnWriteArrayList<>();
    private final List<String> slackTexts = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> killed = new AtomicReference<>();
    private volatile boolean rolloutAllowed;

    /** The CRUD store, plus: a dry run is answered and not stored (as a real API server); updates are counted. */
    final class Dispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            boolean write = !"GET".equalsIgnoreCase(request.getMethod());
            if (write && path.contains("dryRun")) {
                String body = request.getUtf8Body();
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(body == null ? "{}" : body);
            }
            boolean update = "PUT".equalsIgnoreCase(request.getMethod())
                    && path.startsWith("/apis/apps/v1/namespaces/" + NS + "/daemonsets/" + DS)
                    && !path.contains("/status");
            if (update && killed.get() == null) {
                // the EXECUTING message is out before the update (delivered, not just claimed by the instance to die)
                awaitUntil("the executing message delivered", Duration.ofSeconds(20),
                        () -> slackTexts.stream().anyMatch(t -> t.startsWith("Executing the plan on ")));
            }
            MockResponse response = super.dispatch(request);
            if (update && response.code() == 200) {
                String token = String.valueOf(request.getHeader("Authorization")).replace("Bearer ", "");
                updates.add(token);
                Process p = byToken.get(token);
                if (p != null && killed.compareAndSet(null, token)) {
                    // stored, not yet answered: the executing instance dies right after the patch
                    p.destroyForcibly();
                    rolloutAllowed = true;
                }
            }
            return response;
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(20, TimeUnit.SECONDS);
        }
        if (controller != null) {
            controller.interrupt();
        }
        if (slack != null) {
            slack.stop(0);
        }
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void theSurvivorTakesTheLeaseResumesWithoutPatchingAgainAndVerifies() throws Exception {
        SharedInfra infra = SharedInfra.get();
        String cluster = "killed-" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createDirectories(root.resolve("local-run/target/remediator-killed-it/" + cluster));

        slack = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        slack.createContext("/hook", ex -> {
            JsonNode msg = JSON.readTree(ex.getRequestBody().readAllBytes());
            slackTexts.add(msg.path("text").asText());
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        slack.start();

        api = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(),
                new Dispatcher(), false);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
        String url = "http://127.0.0.1:" + api.getPort();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(url).withOauthToken("test").withRequestRetryBackoffLimit(0).build()).build();
        long seededGeneration = seed(client);
        controller = rolloutController(client);

        int portA = Ports.free();
        int portB = Ports.free();
        Process a = remediator("rem-a", portA, cluster, url, work, infra);
        Process b = remediator("rem-b", portB, cluster, url, work, infra);
        await().alias("both remediators ready").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .failFast("a remediator exited before it was ready (see its log in " + work + ")",
                        () -> !a.isAlive() || !b.isAlive())
                .until(() -> ready(portA) && ready(portB));

        try (KafkaTestClient kafka = new KafkaTestClient(infra.kafka().bootstrapServers())) {
            kafka.sendCloudEvent(Topics.DECISIONS, cluster, EventCodec.encode(oomDecision(cluster)));
        }
        AtomicReference<JsonNode> planRef = new AtomicReference<>();
        awaitUntil("a plan awaiting approval", Duration.ofSeconds(60), () -> {
            JsonNode list = get(portA, "/api/plans?cluster=" + cluster);
            if (list == null || list.path("total").asInt() != 1) {
                return false;
            }
            planRef.set(list.path("items").get(0));
            return "PENDING_APPROVAL".equals(planRef.get().path("state").asText());
        });
        String id = planRef.get().path("id").asText();
        int code = post(portA, "/api/plans/" + id + "/approve",
                "{\"planHash\":\"" + planRef.get().path("planHash").asText() + "\",\"comment\":\"fault test\"}");
        assertEquals(200, code);

        awaitUntil("the executing instance killed after its update", Duration.ofSeconds(60), () -> killed.get() != null);
        Process dead = killed.get().equals("token-rem-a") ? a : b;
        String deadId = killed.get().equals("token-rem-a") ? "rem-a" : "rem-b";
        String survivorId = dead == a ? "rem-b" : "rem-a";
        int survivorPort = dead == a ? portB : portA;
        assertTrue(dead.waitFor(10, TimeUnit.SECONDS), "killed");
        assertEquals(137, dead.exitValue(), "SIGKILL, no clean shutdown");
        assertEquals(deadId, leaseOwner(infra, id), "the dead instance still holds the lease");

        Process survivor = dead == a ? b : a;
        try {
            awaitUntil("the survivor finishes the plan", Duration.ofSeconds(120), () -> {
                JsonNode p = get(survivorPort, "/api/plans/" + id);
                return p != null && List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "STALE")
                        .contains(p.path("plan").path("state").asText());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // what the next engineer needs: the plan, its audit and the survivor's threads
            System.out.println("plan: " + get(survivorPort, "/api/plans/" + id));
            System.out.println("audit: " + audit(infra, id, null));
            System.out.println("daemonset status: " + client.apps().daemonSets().inNamespace(NS).withName(DS).get().getStatus());
            Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(survivor.pid()), "Thread.print").redirectErrorStream(true).start();
            System.out.println(new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            throw e;
        }
        JsonNode plan = get(survivorPort, "/api/plans/" + id);
        assertEquals("SUCCEEDED", plan.path("plan").path("state").asText(), plan.toPrettyString());
        List<String> states = new ArrayList<>();
        plan.path("history").forEach(h -> states.add(h.path("to").asText()));
        assertEquals(List.of("PENDING_APPROVAL", "APPROVED", "EXECUTING", "VERIFYING", "SUCCEEDED"), states,
                plan.path("history").toPrettyString());
        assertEquals(1, get(survivorPort, "/api/plans?cluster=" + cluster).path("total").asInt(), "exactly one plan");

        // exactly one update of the DaemonSet, by the instance that was killed; the survivor wrote nothing
        assertEquals(List.of("token-" + deadId), updates);
        DaemonSet live = client.apps().daemonSets().inNamespace(NS).withName(DS).get();
        assertEquals(seededGeneration + 1, live.getMetadata().getGeneration());
        assertEquals("100Mi", live.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
                .get("memory").toString());

        List<String> takeovers = audit(infra, id, "lease-takeover");
        assertEquals(1, takeovers.size(), takeovers.toString());
        assertTrue(takeovers.get(0).startsWith("lease of " + deadId + " expired at "), takeovers.get(0));
        assertTrue(takeovers.get(0).contains("taken over by " + survivorId + " in state EXECUTING"), takeovers.get(0));
        assertEquals(List.of(DS_REF + " already has the desired spec: not written again"), audit(infra, id, "apply"));
        assertTrue(Files.readString(work.resolve(survivorId + ".log")).contains("taken over by " + survivorId),
                "take-over log line");
        assertTrue(metrics(survivorPort).contains("fleetdoctor_remediator_lease_takeovers_total 1.0"), "take-over counter");

        // every Slack message once, in order (the outbox delivered all of them)
        awaitUntil("every Slack message delivered", Duration.ofSeconds(60), () -> undelivered(infra, "flannel-oom/" + cluster) == 0
                && slackTexts.stream().anyMatch(t -> t.startsWith("Remediation succeeded on " + cluster)));
        List<String> mine = slackTexts.stream().filter(t -> t.contains(cluster)).map(t -> t.replaceAll(":.*", ""))
                .toList();
        assertEquals(List.of("Incident opened on " + cluster, "Plan awaiting approval on " + cluster, "Plan on " + cluster + " approved by approver (via rest)",
                "Executing the plan on " + cluster, "Change applied on " + cluster + "; verifying",
                "Remediation succeeded on " + cluster), mine, slackTexts.toString());
        assertFalse(a.isAlive() && b.isAlive(), "one instance was killed");
    }

    static final String DS_REF = NS + "/" + DS;

    // ------------------------------------------------------------------ the cluster

    private long seed(KubernetesClient client) throws IOException {
        DaemonSet ds;
        try (InputStream in = Files.newInputStream(root.resolve(
                "fixtures/src/main/resources/io/fleetdoctor/fixtures/kube-flannel-v0.13.1-rc1.yaml"))) {
            List<HasMetadata> items = client.load(in).items();
            ds = (DaemonSet) items.stream().filter(DaemonSet.class::isInstance).findFirst().orElseThrow();
        }
        ds.getMetadata().setNamespace(NS);
        ds.getMetadata().setResourceVersion(null);
        for (String n : LocalRun.NODES) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata().withNewStatus()
                    .withNewNodeInfo().withKernelVersion("5.15.0").endNodeInfo().endStatus().build()).create();
        }
        DaemonSet created = client.apps().daemonSets().inNamespace(NS).resource(ds).create();
        rolledOut(client, created);
        return created.getMetadata().getGeneration();
    }

    private static void rolledOut(KubernetesClient client, DaemonSet ds) {
        int n = LocalRun.NODES.size();
        ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(ds.getMetadata().getGeneration())
                .withDesiredNumberScheduled(n).withCurrentNumberScheduled(n).withUpdatedNumberScheduled(n)
                .withNumberReady(n).withNumberAvailable(n).withNumberUnavailable(0).withNumberMisscheduled(0).build());
        client.apps().daemonSets().inNamespace(NS).resource(ds).updateStatus();
    }

    /** The DaemonSet controller the mock lacks: reports a new generation rolled out, once the kill has happened. */
    private Thread rolloutController(KubernetesClient client) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(300);
                    DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName(DS).get();
                    Long gen = ds.getMetadata().getGeneration();
                    // the CRUD store keeps the status of the update's body: none after the remediator's update
                    if (rolloutAllowed && (ds.getStatus() == null || !gen.equals(ds.getStatus().getObservedGeneration()))) {
                        rolledOut(client, ds);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a race with an update: the next round sees it
                }
            }
        }, "rollout-controller");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The flannel-oom decision for the fixture DaemonSet (its flanneld runs the 50Mi limit). */
    private static CloudEvent<Decision> oomDecision(String cluster) {
        Decision d = new Decision("flannel-oom/" + cluster, "flannel-oom", "open", "critical", 0.9,
                cluster + ": flanneld OOM-killed 3 times in 30m on node01", List.of(),
                new Decision.Recommendation("flannel-oom-fix", NS, List.of(DS), "kube-flannel", BAD, null, List.of(), null,
                        List.of()));
        return CloudEvent.of(UUID.randomUUID().toString(), "/clusters/" + cluster + "/analyzer", Instant.now(), cluster,
                null, d);
    }

    // ------------------------------------------------------------------ the remediators

    private Process remediator(String instance, int port, String cluster, String url, Path work, SharedInfra infra)
            throws IOException {
        Path app = root.resolve("remediator-service/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(app), app + " is missing: package first");
        String token = "token-" + instance;
        Path kubeconfig = work.resolve(instance + ".kubeconfig");
        Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config", "clusters:",
                "- name: c", "  cluster:", "    server: " + url, "users:", "- name: u", "  user:", "    token: " + token,
                "contexts:", "- name: c", "  context:", "    cluster: c", "    user: u", "current-context: c", ""));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_PROFILE", "local");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", infra.postgres().jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", infra.postgres().user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", infra.postgres().password());
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("FLEETDOCTOR_CLUSTERS__LOCAL__ID", cluster);
        env.put("FLEETDOCTOR_CLUSTERS__LOCAL__KUBECONFIG", kubeconfig.toString());
        env.put("FLEETDOCTOR_REMEDIATOR_INSTANCE_ID", instance);
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_LEASE", "PT" + LEASE.toSeconds() + "S");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_POLL", "1s");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_ROLLOUT_POLL", "PT0.5S");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_ROLLOUT_TIMEOUT", "PT60S");
        env.put("FLEETDOCTOR_REMEDIATOR_EXECUTION_VERIFY_WINDOW", "PT8S");
        env.put("SLACK_WEBHOOK_URL", "http://127.0.0.1:" + slack.getAddress().getPort() + "/hook");
        env.put("FLEETDOCTOR_NOTIFY_LEASE", "PT15S");
        env.put("FLEETDOCTOR_NOTIFY_HTTP_TIMEOUT", "PT3S");
        env.put("QUARKUS_LOG_CONSOLE_FORMAT", "%d{HH:mm:ss} %-5p [%c{2.}] %s%e%n");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                app + ":" + root.resolve("embedded-infra/target/classes"), "io.fleetdoctor.infra.ParentWatchdog",
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(instance + ".log").toFile()));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // closes when this JVM dies: the child's watchdog exits
        Process p = pb.start();
        processes.add(p);
        byToken.put(token, p);
        return p;
    }

    private boolean ready(int port) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString("approver:approver-demo".getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).header("Authorization", basic()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private String metrics(int port) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int post(int port, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    // ------------------------------------------------------------------ the database

    private static Connection db(SharedInfra infra) throws Exception {
        return DriverManager.getConnection(infra.postgres().jdbcUrl(), infra.postgres().user(), infra.postgres().password());
    }

    private static String leaseOwner(SharedInfra infra, String planId) throws Exception {
        try (Connection c = db(infra);
             PreparedStatement s = c.prepareStatement("SELECT lease_owner FROM remediator.plan WHERE id = ?")) {
            s.setString(1, planId);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next());
                return r.getString(1);
            }
        }
    }

    private static List<String> audit(SharedInfra infra, String planId, String action) throws Exception {
        try (Connection c = db(infra); PreparedStatement s = c.prepareStatement(
                "SELECT action || ': ' || detail, detail FROM remediator.audit_log WHERE plan_id = ?"
                        + " AND (action = ? OR ? IS NULL) ORDER BY id")) {
            s.setString(1, planId);
            s.setString(2, action);
            s.setString(3, action);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(action == null ? 1 : 2));
                }
            }
            return out;
        }
    }

    /** Slack messages of the incident (opened, then its plan's) still in the outbox (not delivered, not dead). */
    private static int undelivered(SharedInfra infra, String incidentId) throws Exception {
        try (Connection c = db(infra); PreparedStatement s = c.prepareStatement(OUTBOX_PENDING)) {
            s.setString(1, incidentId);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next());
                return r.getInt(1);
            }
        }
    }

    static final String OUTBOX_PENDING = "SELECT count(*) FROM remediator.outbox WHERE delivered_at IS NULL"
            + " AND dead_at IS NULL AND aggregate_id = ?";

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitUntil(String what, Duration timeout, Check check) {
        await().alias(what).atMost(timeout).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(check::ok);
    }
}
