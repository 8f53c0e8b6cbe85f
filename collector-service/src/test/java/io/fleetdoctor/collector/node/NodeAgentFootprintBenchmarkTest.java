package io.fleetdoctor.collector.node;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prints the node agent's CPU time and resident memory while it samples this machine, padded to a few
 * hundred processes. A measurement, not a timed assertion. Excluded from the default build (tag
 * {@code benchmark}); run it with
 * {@code ./mvnw -o -B -pl collector-service verify -Dbenchmark.excluded=none -Dtest=NodeAgentFootprintBenchmarkTest}.
 */
@Tag("benchmark")
class NodeAgentFootprintBenchmarkTest {
    static final int EXTRA_PROCESSES = 300;
    static final int SAMPLES = 30;

    @Test
    void footprintWhileSamplingAFewHundredProcesses() throws Exception {
        List<Process> idle = new ArrayList<>();
        try {
            for (int i = 0; i < EXTRA_PROCESSES; i++) {
                idle.add(new ProcessBuilder("sleep", "600").start());
            }
            int processes = countProcesses();
            System.out.printf("BENCHMARK processes on this machine while sampling: %d (%d cores)%n", processes,
                    Runtime.getRuntime().availableProcessors());

            // 1. in this JVM: the pure sampling work per tick (process IO of every pid + interface inventory)
            NodeAgent agent = new NodeAgent(new NodeAgentSettings("bench", "bench-node", null, Path.of("/proc"),
                    Path.of("/sys"), Set.of("flanneld"), 10, NodeAgentSettings.DEFAULT_INVENTORY_EVERY,
                    NodeAgentSettings.DEFAULT_HEARTBEAT_EVERY));
            var threads = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 20; i++) { // warm-up
                agent.tick(Instant.now(), System.nanoTime());
            }
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < SAMPLES; i++) {
                agent.tick(Instant.now(), System.nanoTime());
            }
            double cpuMsPerTick = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / SAMPLES;
            double wallMsPerTick = (System.nanoTime() - wall0) / 1e6 / SAMPLES;
            System.out.printf("BENCHMARK warm in-JVM tick: %.2f ms CPU, %.2f ms wall per tick over %d ticks "
                            + "(%d processes read per tick) -> %.3f%% of one core at the default 10 s interval%n",
                    cpuMsPerTick, wallMsPerTick, SAMPLES, agent.lastStats().processes(), cpuMsPerTick / 100.0);

            // 2. the agent as its own process: node-sample, 30 samples at 0.2 s, default and lean JVM flags
            for (List<String> flags : List.<List<String>>of(List.of(), List.of("-Xmx32m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Xss256k", "-XX:CICompilerCount=1"))) {
                String stats = runNodeSample(flags);
                System.out.printf("BENCHMARK node-sample %s: %s%n", flags.isEmpty() ? "[default JVM flags]" : flags,
                        stats);
                assertTrue(stats.contains("ticks=" + (SAMPLES + 1)), stats);
            }
            // 3. the node agent as shipped (lean NodeAgentMain, Kafka producer to the embedded broker), 1 s interval
            measureService();
        } finally {
            idle.forEach(Process::destroy);
        }
    }

    /**
     * The node agent as the DaemonSet runs it: NodeAgentMain in a child JVM with the shipped JAVA_OPTS on the
     * node-agent class path (as {@link NodeAgentMainTest}), MALLOC_ARENA_MAX=2 as in the image, sending to the embedded
     * broker at a 1 s interval.
     */
    private static void measureService() throws Exception {
        String bootstrap = io.fleetdoctor.infra.SharedInfra.get().kafka().bootstrapServers();
        Path log = Files.createTempFile("node-agent-bench", ".log");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(List.of(NodeAgentMainTest.shippedJavaOpts().split("\\s+")));
        cmd.addAll(List.of("-cp", NodeAgentMainTest.agentClassPath(), NodeAgentMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "bench");
        pb.environment().put("NODE_NAME", "bench-node");
        pb.environment().put("FLEETDOCTOR_COLLECTOR_INTERVAL", "1s");
        pb.environment().put("FLEETDOCTOR_COLLECTOR_HTTP_PORT", Integer.toString(io.fleetdoctor.infra.Ports.free()));
        Process p = pb.start();
        try {
            long startWait = System.nanoTime();
            while (!Files.readString(log).contains("node agent started")) {
                assertTrue(p.isAlive(), Files.readString(log));
                assertTrue(System.nanoTime() - startWait < 120_000_000_000L, "agent did not start");
                Thread.sleep(200);
            }
            double startupCpuS = cpuSeconds(p.pid());
            Thread.sleep(10_000); // warm-up ticks
            double cpu0 = cpuSeconds(p.pid());
            long t0 = System.nanoTime();
            Thread.sleep(SAMPLES * 1000L);
            double cpu1 = cpuSeconds(p.pid());
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf("BENCHMARK lean node agent (shipped JAVA_OPTS, 1 s interval, Kafka up): "
                            + "start-up CPU %.2f s; steady %.1f ms CPU per 1 s tick = %.2f%% of one core over %.0f s "
                            + "(%.3f%% at the default 10 s interval, if per-tick cost dominates); %s%n",
                    startupCpuS, (cpu1 - cpu0) * 1000 / wall, (cpu1 - cpu0) / wall * 100, wall,
                    (cpu1 - cpu0) / wall * 10, memoryOf(p.pid()));
            assertTrue(Files.readString(log).lines().noneMatch(l -> l.contains("WARN")), Files.readString(log));
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    /** utime + stime of a process, assuming USER_HZ = 100 (Linux default). */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after ") ": field 3 is f[0]; utime = field 14, stime = field 15
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    private static String memoryOf(long pid) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                String[] f = line.split("\\s+");
                sb.append(f[0].replace(":", "")).append("KiB=").append(f[1]).append(' ');
            }
        }
        return sb.toString().trim();
    }

    private static String runNodeSample(List<String> jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeSampleMain.class.getName(),
                "--interval", "0.2", "--count", String.valueOf(SAMPLES), "--cluster", "bench", "--node", "bench-node",
                "--stats"));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(err, StandardCharsets.UTF_8));
        long lines = new String(out, StandardCharsets.UTF_8).lines().count();
        String e = new String(err, StandardCharsets.UTF_8).trim();
        return "lines=" + lines + " " + e.substring(e.indexOf("ticks="));
    }

    private static int countProcesses() throws IOException {
        try (var s = Files.list(Path.of("/proc"))) {
            return (int) s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }
}
