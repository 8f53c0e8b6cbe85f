package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.cluster.SignalRecord;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.ProcessIo;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.Ports;
import io.fleetdoctor.infra.SharedInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lean node agent ({@link NodeAgentMain}) against the real embedded broker: signals keyed and typed as the
 * contract wants, health and metrics over HTTP, a broker outage that drops and counts instead of blocking, a bad
 * configuration that exits with 2, and the shipped JVM flags and class path in a child JVM that SIGTERM stops with 0.
 *
 * <p>Fixture: {@code src/test/resources/node-fixture}, the hand-written procfs/sysfs tree of a node with eth0 + eth1
 * (default route on eth1), cni0, flannel.1 and two veths, and four processes, flanneld being PID 2345 (the tree
 * {@link FixtureTreeTest} describes).
 */
class NodeAgentMainTest {
    static final Path FIXTURE = Path.of("src/test/resources/node-fixture").toAbsolutePath();
    static final Duration WAIT = Duration.ofSeconds(60);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static KafkaTestClient kafka;

    @BeforeAll
    static void broker() {
        kafka = new KafkaTestClient(SharedInfra.get().kafka().bootstrapServers());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    /** The agent's environment on the fixture tree, a 200 ms interval and any free HTTP port. */
    static Map<String, String> env(String cluster, String bootstrap) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("FLEETDOCTOR_COLLECTOR_MODE", "node");
        env.put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", cluster);
        env.put("NODE_NAME", "fixture-node");
        env.put("HOST_IP", "10.20.0.11");
        env.put("FLEETDOCTOR_COLLECTOR_PROCFS", FIXTURE.resolve("proc").toString());
        env.put("FLEETDOCTOR_COLLECTOR_SYSFS", FIXTURE.resolve("sys").toString());
        env.put("FLEETDOCTOR_COLLECTOR_INTERVAL", "200ms");
        env.put("FLEETDOCTOR_COLLECTOR_HEARTBEAT_INTERVAL", "1s");
        env.put("FLEETDOCTOR_COLLECTOR_HTTP_PORT", "0");
        return env;
    }

    @Test
    void publishesInventoryProcessIoAndHeartbeatsKeyedByClusterAndServesHealthAndMetrics() throws Exception {
        String cluster = "it-lean-agent";
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked);
             NodeAgentMain.Running agent = NodeAgentMain.start(
                     NodeAgentEnv.parse(env(cluster, SharedInfra.get().kafka().bootstrapServers())), System.out)) {
            CloudEvent<?> inv = topic.await("node-interfaces", e -> e.cluster().equals(cluster)
                    && e.type() == EventType.NODE_INTERFACES);
            NodeInterfaces n = inv.as(NodeInterfaces.class).data();
            assertEquals("/clusters/it-lean-agent/nodes/fixture-node/agent", inv.source());
            assertEquals("fixture-node", n.node());
            assertEquals("10.20.0.11", n.hostIP());
            assertEquals(List.of("eth0", "eth1"), n.interfaces().stream().filter(NodeInterfaces.Interface::physical)
                    .map(NodeInterfaces.Interface::name).collect(Collectors.toList()));
            assertEquals(List.of("eth1"), n.interfaces().stream().filter(NodeInterfaces.Interface::defaultRoute)
                    .map(NodeInterfaces.Interface::name).collect(Collectors.toList()));

            ProcessIo io = topic.await("process-io", e -> e.cluster().equals(cluster)
                    && e.type() == EventType.PROCESS_IO).as(ProcessIo.class).data();
            assertEquals(List.of(new ProcessIo.Process(2345, "flanneld", 0, 0)), io.processes(),
                    "the watched flanneld is listed even when idle");

            Heartbeat hb = topic.await("heartbeat", e -> e.cluster().equals(cluster)
                    && e.type() == EventType.HEARTBEAT).as(Heartbeat.class).data();
            assertEquals(new Heartbeat(Heartbeat.NODE_AGENT, "fixture-node"), hb);

            int port = agent.httpPort();
            await().atMost(WAIT).until(() -> metric(port, "fleetdoctor_collector_signals_sent_total") >= 3);
            String metrics = get(port, "/q/metrics").body();
            // the names the Quarkus agent's Micrometer registry gave them (dashboards and alerts use them)
            for (String name : List.of("fleetdoctor_collector_signals_sent_total",
                    "fleetdoctor_collector_signals_failed_total", "fleetdoctor_collector_signals_dropped_total",
                    "fleetdoctor_collector_node_ticks_total", "fleetdoctor_collector_node_tick_failures_total",
                    "fleetdoctor_collector_node_processes", "fleetdoctor_collector_node_permission_denied")) {
                assertTrue(Pattern.compile("(?m)^# TYPE " + name + " (counter|gauge)$").matcher(metrics).find(), name);
            }
            assertEquals(4.0, metric(port, "fleetdoctor_collector_node_processes"), "the fixture's four PIDs");
            assertEquals(0.0, metric(port, "fleetdoctor_collector_signals_dropped_total"));
            assertEquals(0.0, metric(port, "fleetdoctor_collector_node_tick_failures_total"));
            assertTrue(metric(port, "fleetdoctor_collector_node_ticks_total") >= 2);
            assertTrue(Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} [0-9.]+$")
                    .matcher(metrics).find(), "the dashboard's heap panel reads jvm_memory_used_bytes{area=\"heap\"}");

            for (String probe : List.of("/q/health/started", "/q/health/live", "/q/health/ready", "/q/health")) {
                HttpResponse<String> r = get(port, probe);
                assertEquals(200, r.statusCode(), probe + ": " + r.body());
                assertTrue(r.body().startsWith("{\"status\":\"UP\",\"checks\":[{\"name\":"), probe + ": " + r.body());
                assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            }
            assertTrue(get(port, "/q/health/ready").body().contains("{\"name\":\"kafka producer\",\"status\":\"UP\""));
            assertEquals(404, get(port, "/q/health/other").statusCode());
        }
    }

    @Test
    void samplingGoesOnWhileTheBrokerIsDownAndDropsAreCounted() throws Exception {
        // nothing listens there: the topic's metadata never comes, so every send is refused at once (max.block.ms=0)
        String nowhere = "127.0.0.1:" + Ports.free();
        try (NodeAgentMain.Running agent = NodeAgentMain.start(NodeAgentEnv.parse(env("it-lean-outage", nowhere)),
                System.out, Duration.ofMillis(300))) {
            int port = agent.httpPort();
            await().atMost(WAIT).until(() -> metric(port, "fleetdoctor_collector_signals_dropped_total") > 0);
            double ticks = metric(port, "fleetdoctor_collector_node_ticks_total");
            // 10 more ticks at 200 ms: sampling is not held up by the sends
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(port, "fleetdoctor_collector_node_ticks_total")
                    > ticks + 10);
            assertEquals(0.0, metric(port, "fleetdoctor_collector_signals_sent_total"));
            assertEquals(0.0, metric(port, "fleetdoctor_collector_node_tick_failures_total"));
            HttpResponse<String> ready = get(port, "/q/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().startsWith("{\"status\":\"DOWN\""), ready.body());
            assertTrue(ready.body().contains("{\"name\":\"kafka producer\",\"status\":\"DOWN\""), ready.body());
            assertTrue(ready.body().contains("{\"name\":\"node sampling\",\"status\":\"UP\""), ready.body());
            assertEquals(200, get(port, "/q/health/live").statusCode(), "an outage is no reason to restart the agent");
        }
    }

    @Test
    void aBadConfigurationExitsWith2AndNamesEachVariable() throws Exception {
        Map<String, String> env = env("Not_A_Cluster", "ignored:9092");
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("FLEETDOCTOR_COLLECTOR_MODE", "cluster");
        env.put("FLEETDOCTOR_COLLECTOR_INTERVAL", "ten seconds");
        env.put("FLEETDOCTOR_COLLECTOR_TOP_N", "-1");
        env.put("FLEETDOCTOR_COLLECTOR_SYSFS", FIXTURE.resolve("missing").toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = NodeAgentMain.run(env, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, text);
        List<String> lines = text.lines().filter(l -> l.startsWith("  - ")).toList();
        assertEquals(6, lines.size(), text);
        for (String expected : List.of("FLEETDOCTOR_COLLECTOR_MODE='cluster'", "KAFKA_BOOTSTRAP_SERVERS is not set",
                "FLEETDOCTOR_COLLECTOR_CLUSTER_ID='Not_A_Cluster' is not a valid cluster id",
                "FLEETDOCTOR_COLLECTOR_SYSFS='" + FIXTURE.resolve("missing") + "' is not a directory",
                "FLEETDOCTOR_COLLECTOR_INTERVAL='ten seconds' is not a duration",
                "FLEETDOCTOR_COLLECTOR_TOP_N='-1' must be an integer within 0..10000")) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(expected)), expected + " in\n" + text);
        }
    }

    @Test
    void aKafkaSettingTheClientRefusesExitsWith2() throws Exception {
        Map<String, String> env = env("it-lean-kafka-config", "127.0.0.1:9");
        env.put("KAFKA_SECURITY_PROTOCOL", "TLS");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = NodeAgentMain.run(env, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, text);
        assertTrue(text.contains("  - Kafka: ") && text.contains("security.protocol"), text);
    }

    @Test
    void durationsAndKafkaSettingsAreReadAsQuarkusReadsThem() throws Exception {
        assertEquals(Duration.ofSeconds(10), NodeAgentEnv.parseDuration("10s"));
        assertEquals(Duration.ofSeconds(10), NodeAgentEnv.parseDuration("10"));
        assertEquals(Duration.ofMillis(200), NodeAgentEnv.parseDuration("200ms"));
        assertEquals(Duration.ofMinutes(10), NodeAgentEnv.parseDuration("10m"));
        assertEquals(Duration.ofMinutes(90), NodeAgentEnv.parseDuration("1h30m"));
        assertEquals(Duration.ofSeconds(30), NodeAgentEnv.parseDuration("PT30S"));
        assertEquals(Duration.ofDays(2), NodeAgentEnv.parseDuration("2d"));

        Map<String, String> env = env("it-lean-config", "broker-0:9093,broker-1:9093");
        // the DaemonSet's Kafka settings (k8s/base/node-agent/configmap.yaml and the Secret's JAAS line)
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/fleetdoctor/kafka-ca/ca.crt");
        env.put("FLEETDOCTOR_COLLECTOR_WATCH_LIST", "flanneld, kubelet,");
        env.put("FLEETDOCTOR_COLLECTOR_TOP_N", "5");
        env.put("FLEETDOCTOR_COLLECTOR_INVENTORY_INTERVAL", "5m");
        NodeAgentEnv c = NodeAgentEnv.parse(env);
        assertEquals(Map.of("bootstrap.servers", "broker-0:9093,broker-1:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", "/etc/fleetdoctor/kafka-ca/ca.crt"), c.kafka());
        assertEquals(Set.of("flanneld", "kubelet"), c.settings().watchList());
        assertEquals(5, c.settings().topN());
        assertEquals(Duration.ofMinutes(5), c.settings().inventoryEvery());
        assertEquals(Duration.ofSeconds(1), c.settings().heartbeatEvery());
        assertEquals(Duration.ofMillis(200), c.interval());
        assertEquals(0, c.httpPort());
        env.remove("FLEETDOCTOR_COLLECTOR_HTTP_PORT");
        assertEquals(NodeAgentEnv.DEFAULT_HTTP_PORT, NodeAgentEnv.parse(env).httpPort());
    }

    /**
     * As the DaemonSet runs it: a child JVM with the shipped JAVA_OPTS (k8s/base/node-agent/daemonset.yaml: the
     * module limit and small heap must still let it send) on the node-agent class path (collector-service's pom,
     * {@code node-agent-classpath}); SIGTERM flushes and exits 0.
     */
    @Test
    void theShippedFlagsAndClassPathSendAndSigtermExitsZero() throws Exception {
        String cluster = "it-lean-child";
        int port = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(List.of(shippedJavaOpts().split("\\s+")));
        cmd.addAll(List.of("-cp", agentClassPath(), NodeAgentMain.class.getName()));
        Path log = Files.createTempFile("node-agent", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env(cluster, SharedInfra.get().kafka().bootstrapServers()));
        pb.environment().put("FLEETDOCTOR_COLLECTOR_HTTP_PORT", Integer.toString(port));
        Process p = pb.start();
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            topic.await("process-io from the child", e -> e.cluster().equals(cluster)
                    && e.type() == EventType.PROCESS_IO);
            await().atMost(WAIT).until(() -> {
                assertTrue(p.isAlive(), () -> read(log));
                return get(port, "/q/health/ready").statusCode() == 200;
            });
            // local-run's LocalRun.listening waits for Quarkus's wording, ending with the port
            assertTrue(read(log).lines().anyMatch(l -> l.endsWith("Listening on: http://0.0.0.0:" + port)), read(log));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), read(log));
            assertEquals(0, p.exitValue(), read(log));
            assertTrue(read(log).contains("stopping: flushing signals"), read(log));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** JAVA_OPTS of the DaemonSet's container. */
    static String shippedJavaOpts() throws IOException {
        String ds = Files.readString(Path.of("../k8s/base/node-agent/daemonset.yaml"));
        Matcher m = Pattern.compile("- name: JAVA_OPTS\\s+value: (.+)").matcher(ds);
        assertTrue(m.find(), "JAVA_OPTS in the DaemonSet");
        return m.group(1).trim();
    }

    /** This module's classes and the jars of the pom's node-agent class path, from the test class path. */
    static String agentClassPath() throws IOException {
        Matcher ids = Pattern.compile("<includeArtifactIds>([^<]+)</includeArtifactIds>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(ids.find(), "node-agent-classpath in pom.xml");
        Set<String> wanted = Set.of(ids.group(1).trim().split("\\s*,\\s*"));
        List<String> out = new ArrayList<>(List.of(Path.of("target/classes").toAbsolutePath().toString()));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String artifact;
            // a reactor module's target/classes (test, compile) or target/<artifact>.jar (verify, after its package
            // phase): the module's pom names it
            Path target = p.getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")) {
                Path pom = target.getParent().resolve("pom.xml");
                Matcher a = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>")
                        .matcher(Files.exists(pom) ? Files.readString(pom) : "");
                artifact = a.find() ? a.group(1) : "";
            } else { // ~/.m2 layout: <artifactId>/<version>/<artifactId>-<version>.jar
                artifact = p.getParent().getParent().getFileName().toString();
            }
            if (wanted.contains(artifact)) {
                out.add(entry);
            }
        }
        assertEquals(wanted.size() + 1, out.size(), "every artifact of the node-agent class path found: " + out);
        return String.join(java.io.File.pathSeparator, out);
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static double metric(int port, String name) throws IOException, InterruptedException {
        String body = get(port, "/q/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
