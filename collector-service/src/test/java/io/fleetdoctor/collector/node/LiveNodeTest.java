package io.fleetdoctor.collector.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.ProcessIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The node agent on this machine's real /proc and /sys. */
class LiveNodeTest {
    static final Path PROC = Path.of("/proc");
    static final Path SYS = Path.of("/sys");
    static final double MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aWritingFlanneldShowsUpWithTheRightWriteRate() throws Exception {
        assumeTrue(Files.isReadable(PROC.resolve("self/io")), "needs /proc/<pid>/io (task IO accounting)");
        double target = 24; // MiB/s
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path flanneld = Files.createSymbolicLink(tmp.resolve("flanneld"), java);
        Process p = new ProcessBuilder(flanneld.toString(), "-Xmx32m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), IoLoad.class.getName(),
                tmp.resolve("flanneld.data").toString(), String.valueOf(target), "60")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("ioload.out").toFile()).start();
        try {
            int pid = (int) p.pid();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.isReadable(PROC.resolve(pid + "/comm")));
            assertEquals("flanneld", Files.readString(PROC.resolve(pid + "/comm")).trim());

            ProcessIoSampler sampler = new ProcessIoSampler(PROC, Set.of("flanneld"), 5);
            sampler.sample(System.nanoTime());
            ProcessIo.Process[] seen = new ProcessIo.Process[1];
            await().atMost(Duration.ofSeconds(40)).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        ProcessIoSampler.Sample s = sampler.sample(System.nanoTime());
                        ProcessIo.Process mine = s.processes().stream().filter(x -> x.pid() == pid).findFirst()
                                .orElse(null);
                        System.out.printf("flanneld sample: interval %.2fs %s%n", s.intervalSeconds(), mine);
                        seen[0] = mine;
                        // the right order of magnitude: within a factor of 3 of the paced rate
                        return mine != null && mine.writeBytesPerSec() > target / 3 * MIB
                                && mine.writeBytesPerSec() < target * 3 * MIB;
                    });
            assertEquals("flanneld", seen[0].name());
            System.out.printf("flanneld (pid %d) paced at %.0f MiB/s, sampled %.1f MiB/s written%n", pid, target,
                    seen[0].writeBytesPerSec() / MIB);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void interfacesOfThisMachineMatchSysfsAndIp() throws Exception {
        // the inventory reads PID 1's namespace, `ip` this JVM's: comparable only when they are the same
        assumeTrue(Files.readString(PROC.resolve("1/net/route")).equals(Files.readString(PROC.resolve("self/net/route")))
                && Files.readString(PROC.resolve("1/net/fib_trie")).equals(Files.readString(PROC.resolve("self/net/fib_trie"))),
                "this JVM is not in PID 1's network namespace");
        List<NodeInterfaces.Interface> ifs = new InterfaceInventory(PROC, SYS).read();
        Set<String> sysNames;
        try (Stream<Path> s = Files.list(SYS.resolve("class/net"))) {
            sysNames = s.map(x -> x.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(sysNames, ifs.stream().map(NodeInterfaces.Interface::name).collect(Collectors.toCollection(TreeSet::new)));
        for (NodeInterfaces.Interface i : ifs) {
            assertEquals(Files.exists(SYS.resolve("class/net/" + i.name() + "/device")), i.physical(), i.name());
        }
        System.out.println("interfaces of this machine: " + ifs);

        // addresses and default route as iproute2 sees them (netlink), when `ip` is installed
        JsonNode addrs = ipJson("ip", "-j", "addr");
        assumeTrue(addrs != null, "ip -j not available");
        Map<String, Set<String>> expected = new TreeMap<>();
        for (JsonNode link : addrs) {
            Set<String> set = new TreeSet<>();
            for (JsonNode a : link.path("addr_info")) {
                set.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt());
            }
            expected.put(link.get("ifname").asText(), set);
        }
        Map<String, NodeInterfaces.Interface> byName =
                ifs.stream().collect(Collectors.toMap(NodeInterfaces.Interface::name, Function.identity()));
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            assertNotNull(byName.get(e.getKey()), e.getKey());
            assertEquals(e.getValue(), new TreeSet<>(byName.get(e.getKey()).addresses()), e.getKey());
        }
        JsonNode routes = ipJson("ip", "-j", "-4", "route", "show", "default");
        if (routes != null) {
            Set<String> defaults = new TreeSet<>();
            routes.forEach(r -> defaults.add(r.get("dev").asText()));
            assertEquals(defaults, ifs.stream().filter(NodeInterfaces.Interface::defaultRoute)
                    .map(NodeInterfaces.Interface::name).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    private static JsonNode ipJson(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }
}
