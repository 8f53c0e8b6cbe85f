package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.SharedInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault test: two analyzer processes in one consumer group; the one owning the seed cluster's partition holds a
 * half-full window (the signals that do not complete the incident yet, consumed and committed) and is killed with
 * SIGKILL. The survivor is assigned the partition, rebuilds the window from the log and the database, takes the
 * rest of the trace and must make exactly one incident and one {@code open} decision whose evidence includes
 * signals sent before the kill. Without the rebuild the survivor would start from the committed offset with an
 * empty window and miss the incident.
 */
class AnalyzerScaleOutIT {
    private static final String SIGNALS = "fleetdoctor.signals";
    private static final String DECISIONS = "fleetdoctor.decisions";
    private static final String GROUP = "fleetdoctor-analyzer";
    private static final Pattern CHANGE = Pattern.compile("partitions \\[([0-9, ]*)] (assigned|revoked)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoAnalyzersOneKilledMidWindowMakeOneIncidentWithTheEarlyEvidence() throws Exception {
        String cluster = "scaleout-1";
        List<String> trace = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        Path root = Path.of("..").toAbsolutePath().normalize();
        int k = completingLine(root, trace);
        assertTrue(k > 10, "the incident completes late in the trace: line " + k);
        Set<String> before = new HashSet<>();
        for (String line : trace.subList(0, k)) {
            before.add(JSON.readTree(line).path("id").asText());
        }

        SharedInfra infra = SharedInfra.get();
        String bootstrap = infra.kafka().bootstrapServers();
        LocalRun run = new LocalRun(new LocalRun.Options(false, root, null, null, cluster, false,
                Duration.ofMinutes(5), System.out, "flannel-iface"));
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            kafka.createTopics(SIGNALS, DECISIONS);
            int partitions = admin.describeTopics(List.of(SIGNALS)).allTopicNames().get().get(SIGNALS).partitions().size();
            TopicPartition tp = new TopicPartition(SIGNALS, Utils.toPositive(Utils.murmur2(
                    cluster.getBytes(StandardCharsets.UTF_8))) % partitions);
            Map<String, LocalRun.Started> analyzers = new LinkedHashMap<>();
            for (String name : List.of("analyzer-a", "analyzer-b")) {
                analyzers.put(name, run.startService(name, "analyzer-service",
                        Map.of("FLEETDOCTOR_ANALYZER_CLUSTER_SEEN_FLUSH", "2s")));
            }
            // both in the group, the partitions settled: exactly one of them owns the cluster's partition
            String ownerName = await("one owner of " + tp).atMost(Duration.ofSeconds(120))
                    .until(() -> bothAssigned(analyzers) ? owner(analyzers, tp.partition()) : null, o -> o != null);
            LocalRun.Started owner = analyzers.get(ownerName);
            String survivorName = analyzers.keySet().stream().filter(n -> !n.equals(ownerName)).findFirst().orElseThrow();
            LocalRun.Started survivor = analyzers.get(survivorName);

            try (var decisions = kafka.fromNow(DECISIONS)) {
                kafka.sendAll(SIGNALS, cluster, trace.subList(0, k));
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
                // the owner consumed the first part and committed it: its window is half full, nothing decided
                await("the first part committed by " + ownerName).atMost(Duration.ofSeconds(90))
                        .until(() -> committed(admin, tp) >= end);
                assertTrue(decisions.withKey(cluster).isEmpty(), "no decision before the completing signal");

                int seen = Files.readAllLines(survivor.log(), StandardCharsets.UTF_8).size();
                owner.process().destroyForcibly(); // SIGKILL: no leave-group, no commit, no shutdown hook
                assertTrue(owner.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "killed");
                System.out.println("killed " + ownerName + " (pid " + owner.process().pid() + ") owning " + tp);

                // the group notices after the session timeout; the survivor rebuilds the partition before consuming
                Pattern rebuilt = Pattern.compile("partitions \\[[0-9, ]*] assigned: (\\d+) records replayed");
                String line = await("the survivor rebuilds " + tp).atMost(Duration.ofSeconds(120))
                        .until(() -> lastAssignmentWith(survivor.log(), tp.partition(), seen), l -> l != null);
                System.out.println(survivorName + ": " + line);
                Matcher m = rebuilt.matcher(line);
                assertTrue(m.find() && Long.parseLong(m.group(1)) >= k, "the first part replayed: " + line);

                kafka.sendAll(SIGNALS, cluster, trace.subList(k, trace.size()));
                await("the decision").atMost(Duration.ofSeconds(90)).until(() -> !decisions.withKey(cluster).isEmpty());
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                        .until(() -> decisions.withKey(cluster).size() == 1);
                ConsumerRecord<String, byte[]> r = decisions.withKey(cluster).get(0);
                JsonNode d = JSON.readTree(r.value()).path("data");
                assertEquals("open", d.path("status").asText());
                List<String> evidence = new ArrayList<>();
                d.path("evidence").forEach(e -> evidence.add(e.path("signalId").asText()));
                assertTrue(evidence.stream().anyMatch(before::contains),
                        "evidence includes signals sent before the kill: " + evidence);

                JsonNode incidents = JSON.readTree(get(survivor.port(), "/api/incidents?cluster=" + cluster));
                assertEquals(1, incidents.path("total").asInt(), incidents.toString());
                assertEquals(d.path("incidentId").asText(), incidents.path("items").get(0).path("incidentId").asText());
            }
        } catch (LocalRun.StepFailed | AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            run.printLogTails();
            throw e;
        } finally {
            run.stop();
        }
    }

    /**
     * The index of the first line after which the engine decides, found offline with the packaged analyzer's own
     * engine ({@code fleetdoctor replay}, in its own class loader) on prefixes of the trace.
     */
    private static int completingLine(Path root, List<String> trace) throws Exception {
        Path app = root.resolve("analyzer-service/target/quarkus-app");
        List<URL> urls = new ArrayList<>();
        for (String dir : List.of("app", "lib/main", "lib/boot", "quarkus")) {
            try (Stream<Path> jars = Files.list(app.resolve(dir))) {
                for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    urls.add(j.toUri().toURL());
                }
            }
        }
        Path prefix = Files.createTempFile("seed-prefix", ".jsonl");
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            var replay = loader.loadClass("io.fleetdoctor.analyzer.replay.ReplayMain")
                    .getMethod("run", String[].class, java.io.Writer.class, PrintStream.class);
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                int lo = 1;
                int hi = trace.size(); // the smallest prefix that decides is in [lo, hi]
                while (lo < hi) {
                    int mid = (lo + hi) / 2;
                    Files.write(prefix, trace.subList(0, mid), StandardCharsets.UTF_8);
                    StringWriter out = new StringWriter();
                    replay.invoke(null, new String[] {prefix.toString()}, out, new PrintStream(
                            java.io.OutputStream.nullOutputStream()));
                    if (out.toString().isBlank()) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                return lo - 1;
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        } finally {
            Files.deleteIfExists(prefix);
        }
    }

    /** The partitions an analyzer holds now, from its rebuild log lines ({@code partitions [..] assigned|revoked}). */
    private static Set<Integer> held(Path log) throws Exception {
        Set<Integer> held = new TreeSet<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = CHANGE.matcher(line);
            if (m.find()) {
                Set<Integer> ps = new HashSet<>();
                for (String p : m.group(1).split(",\\s*")) {
                    if (!p.isBlank()) {
                        ps.add(Integer.parseInt(p.strip()));
                    }
                }
                if ("assigned".equals(m.group(2))) {
                    held.addAll(ps);
                } else {
                    held.removeAll(ps);
                }
            }
        }
        return held;
    }

    private static String owner(Map<String, LocalRun.Started> analyzers, int partition) throws Exception {
        String owner = null;
        for (var e : analyzers.entrySet()) {
            if (held(e.getValue().log()).contains(partition)) {
                if (owner != null) {
                    return null; // mid-rebalance
                }
                owner = e.getKey();
            }
        }
        return owner;
    }

    private static boolean bothAssigned(Map<String, LocalRun.Started> analyzers) throws Exception {
        for (LocalRun.Started s : analyzers.values()) {
            if (held(s.log()).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The last assignment of {@code partition} in the log after its first {@code skip} lines, or null. */
    private static String lastAssignmentWith(Path log, int partition, int skip) throws Exception {
        String found = null;
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(skip, lines.size()), lines.size())) {
            Matcher m = CHANGE.matcher(line);
            if (m.find() && "assigned".equals(m.group(2))
                    && List.of(m.group(1).split(",\\s*")).contains(Integer.toString(partition))) {
                found = line;
            }
        }
        return found;
    }

    private static long committed(Admin admin, TopicPartition tp) throws Exception {
        OffsetAndMetadata om = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(tp);
        return om == null ? -1 : om.offset();
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "viewer:viewer-demo".getBytes(StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
