package io.fleetdoctor.analyzer.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.analyzer.config.RuleRegistry;
import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.ProcessIo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fleetdoctor bench}: numbers, not assertions. Generates a synthetic fleet (clusters × nodes,
 * a process-io sample per node every 10 s, heartbeats, control-plane baselines) as encoded records
 * and measures, in one run: a plain JSON parse of the same bytes (the baseline), decode with
 * validation, decode + engine, retained heap per node, and replay of a 25,000-line trace.
 */
public final class EngineBenchmark {
    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int clusters = 200;
        int nodes = 100;
        int minutes = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--clusters" -> clusters = Integer.parseInt(args[i + 1]);
                case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
                case "--minutes" -> minutes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "synthetic fleet: %d clusters x %d nodes, %d minutes of 10 s samples%n",
                clusters, nodes, minutes);
        List<byte[]> records = fleet(clusters, nodes, minutes);
        long bytes = records.stream().mapToLong(r -> r.length).sum();
        out.printf(Locale.ROOT, "records: %,d (avg %d bytes)%n", records.size(), bytes / records.size());

        ObjectMapper mapper = new ObjectMapper();
        for (int round = 0; round < 2; round++) { // first round warms up the JIT
            boolean print = round == 1;
            long t0 = System.nanoTime();
            long sink = 0;
            for (byte[] r : records) {
                sink += mapper.readTree(r).size();
            }
            report(print, "baseline: JSON parse only", records.size(), t0, sink);

            t0 = System.nanoTime();
            for (byte[] r : records) {
                sink += EventCodec.decode(r).id().length();
            }
            report(print, "decode + validate", records.size(), t0, sink);

            AnalyzerEngine engine = engine();
            t0 = System.nanoTime();
            long outputs = 0;
            for (byte[] r : records) {
                outputs += engine.accept(EventCodec.decode(r)).size();
            }
            report(print, "decode + validate + engine", records.size(), t0, outputs);

            engine = engine();
            List<CloudEvent<?>> decoded = new ArrayList<>(records.size());
            for (byte[] r : records) {
                decoded.add(EventCodec.decode(r));
            }
            t0 = System.nanoTime();
            for (CloudEvent<?> e : decoded) {
                outputs += engine.accept(e).size();
            }
            report(print, "engine only (decoded events)", decoded.size(), t0, outputs);
        }

        // retained heap of the windows, per node
        long before = usedAfterGc();
        AnalyzerEngine engine = engine();
        for (byte[] r : records) {
            engine.accept(EventCodec.decode(r));
        }
        long after = usedAfterGc();
        java.lang.ref.Reference.reachabilityFence(records);
        out.printf(Locale.ROOT, "window state: %,d entries, %,d bytes retained, %,d bytes per node%n",
                engine.stateEntries(), after - before, (after - before) / ((long) clusters * nodes));

        // replay of a 25,000-line trace
        Path trace = Files.createTempFile("fleetdoctor-bench-", ".jsonl");
        try {
            List<byte[]> lines = fleet(5, 50, 17);
            List<String> text = new ArrayList<>();
            for (int i = 0; i < Math.min(25_000, lines.size()); i++) {
                text.add(new String(lines.get(i), StandardCharsets.UTF_8));
            }
            Files.write(trace, text);
            long t0 = System.nanoTime();
            StringWriter sw = new StringWriter();
            ReplayMain.run(new String[]{trace.toString()}, sw, System.err);
            out.printf(Locale.ROOT, "replay of %,d lines: %.2f s (in this JVM, after warm-up)%n", text.size(),
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(trace);
        }
        System.exit(0);
    }

    private static AnalyzerEngine engine() throws IOException {
        return ReplayMain.registry(null, Map.of()).engine();
    }

    private static void report(boolean print, String what, int n, long t0, long sink) {
        double s = (System.nanoTime() - t0) / 1e9;
        if (print) {
            System.out.printf(Locale.ROOT, "%-32s %,12.0f records/s  (%.2f s)%s%n", what, n / s, s,
                    sink == Long.MIN_VALUE ? "!" : "");
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Records in event-time order: per cluster a flannel config, inventories, baselines, then samples. */
    static List<byte[]> fleet(int clusters, int nodes, int minutes) {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<byte[]> out = new ArrayList<>();
        int seq = 0;
        for (int c = 0; c < clusters; c++) {
            String cluster = "bench-" + c;
            out.add(EventCodec.encode(CloudEvent.of(cluster + "-" + (++seq), CloudEvent.collectorSource(cluster), t0,
                    cluster, null, new FlannelConfig("kube-system", "kube-flannel-ds", "kube-flannel",
                            "quay.io/coreos/flannel:v0.13.1-rc1", "v0.13.1-rc1", List.of("/opt/bin/flanneld"),
                            List.of("--ip-masq", "--kube-subnet-mgr"), Map.of(), "1", nodes, nodes))));
            for (String comp : List.of("kube-controller-manager", "kube-scheduler")) {
                out.add(EventCodec.encode(CloudEvent.of(cluster + "-" + (++seq), CloudEvent.collectorSource(cluster),
                        t0, cluster, null, new PodRestart("kube-system", comp + "-m0", comp, "m0", comp, true, 3, null))));
            }
            for (int n = 0; n < nodes; n++) {
                String node = "node-" + n;
                out.add(EventCodec.encode(CloudEvent.of(cluster + "-" + (++seq), CloudEvent.agentSource(cluster, node),
                        t0, cluster, null, new NodeInterfaces(node, "10.0." + (n / 250) + "." + (n % 250 + 1),
                                "5.15.0", List.of(new NodeInterfaces.Interface("eth0", true, true,
                                List.of("10.0." + (n / 250) + "." + (n % 250 + 1) + "/16"), true))))));
            }
        }
        for (int s = 1; s <= minutes * 6; s++) {
            Instant t = t0.plus(Duration.ofSeconds(10L * s));
            for (int c = 0; c < clusters; c++) {
                String cluster = "bench-" + c;
                for (int n = 0; n < nodes; n++) {
                    String node = "node-" + n;
                    out.add(EventCodec.encode(CloudEvent.of(cluster + "-" + (++seq), CloudEvent.agentSource(cluster, node),
                            t, cluster, null, new ProcessIo(node, 10, List.of(
                                    new ProcessIo.Process(1000 + n, "flanneld", 1200, 800 + (s % 7)),
                                    new ProcessIo.Process(900, "kubelet", 5000, 90000))))));
                }
                if (s % 3 == 0) {
                    out.add(EventCodec.encode(CloudEvent.of(cluster + "-" + (++seq), CloudEvent.collectorSource(cluster),
                            t, cluster, null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null))));
                }
            }
        }
        return out;
    }
}
