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
        } finally {
            idle.forEach(Process::destroy);
        }
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
