package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.ProcessIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node agent against the fixture tree of a node with eth0 + eth1 (default route on eth1), cni0, flannel.1, veths. */
class FixtureTreeTest {

    static final Path FIXTURE = Path.of("src/test/resources/node-fixture");

    @TempDir
    Path tmp;

    @Test
    void inventoryHasExactlyTheTwoPhysicalNicsAndTheDefaultRouteOnEth1() throws IOException {
        List<NodeInterfaces.Interface> ifs =
                new InterfaceInventory(FIXTURE.resolve("proc"), FIXTURE.resolve("sys")).read();
        Map<String, NodeInterfaces.Interface> byName =
                ifs.stream().collect(Collectors.toMap(NodeInterfaces.Interface::name, Function.identity()));

        assertEquals(Set.of("lo", "eth0", "eth1", "cni0", "flannel.1", "veth1a2b3c4d", "veth5e6f7a8b"), byName.keySet());
        assertEquals(Set.of("eth0", "eth1"), ifs.stream().filter(NodeInterfaces.Interface::physical)
                .map(NodeInterfaces.Interface::name).collect(Collectors.toSet()));
        assertEquals(Set.of("eth1"), ifs.stream().filter(NodeInterfaces.Interface::defaultRoute)
                .map(NodeInterfaces.Interface::name).collect(Collectors.toSet()));

        assertEquals(List.of("192.168.10.11/24", "fe80::250:568a:fffe:a0b/64"), byName.get("eth0").addresses());
        assertEquals(List.of("10.20.0.11/24"), byName.get("eth1").addresses());
        assertEquals(List.of("172.20.0.1/24"), byName.get("cni0").addresses());
        assertEquals(List.of("127.0.0.1/8", "::1/128"), byName.get("lo").addresses());
        // flannel.1's 172.20.0.0/32 has no connected route of its own: not attributed (documented limitation)
        assertEquals(List.of(), byName.get("flannel.1").addresses());
        assertTrue(byName.get("eth0").up() && byName.get("eth1").up());
        assertTrue(byName.get("flannel.1").up(), "operstate unknown + IFF_UP counts as up");
        assertTrue(byName.get("eth1").carries("10.20.0.11"));
    }

    @Test
    void processIoRatesFromDeltasWithAppearVanishAndPidReuse() throws IOException {
        Path proc = copyFixture().resolve("proc");
        ProcessIoSampler sampler = new ProcessIoSampler(proc, Set.of("flanneld"), 2);
        long t0 = 1_000_000_000L;
        assertFalse(sampler.sample(t0).hasRates(), "first sample is the baseline");

        // 2 s later: flanneld read 40 MiB and wrote 20 MiB; kube-apiserver wrote 8 KiB;
        // pid 812 vanished and was reused by a new process (other start time); pid 3001 vanished; 5000 appeared
        io(proc, 2345, 52428800L + 41943040L, 10485760L + 20971520L);
        io(proc, 1, 1000, 2000 + 8192);
        stat(proc, 812, "kube-apiserver", 99999);
        io(proc, 812, 0, 999_999_999L);
        deleteTree(proc.resolve("3001"));
        Files.createDirectories(proc.resolve("5000"));
        Files.writeString(proc.resolve("5000/comm"), "newcomer\n");
        stat(proc, 5000, "newcomer", 777);
        Files.writeString(proc.resolve("5000/io"), "read_bytes: 5\nwrite_bytes: 7\n");

        ProcessIoSampler.Sample s = sampler.sample(t0 + 2_000_000_000L);
        assertEquals(2.0, s.intervalSeconds(), 1e-9);
        Map<Integer, ProcessIo.Process> byPid =
                s.processes().stream().collect(Collectors.toMap(ProcessIo.Process::pid, Function.identity()));
        assertEquals(Set.of(2345, 1), byPid.keySet(), "reused pid 812 and new pid 5000 have no baseline yet");
        assertEquals("flanneld", byPid.get(2345).name());
        assertEquals(20 * 1024 * 1024, byPid.get(2345).readBytesPerSec(), 0.1);
        assertEquals(10 * 1024 * 1024, byPid.get(2345).writeBytesPerSec(), 0.1);
        assertEquals(4096, byPid.get(1).writeBytesPerSec(), 0.1);
        assertEquals(2345, s.processes().get(0).pid(), "busiest first");

        // nothing moves: flanneld stays (watch list) at 0, idle processes drop out of the top list
        ProcessIoSampler.Sample idle = sampler.sample(t0 + 3_000_000_000L);
        assertEquals(List.of(new ProcessIo.Process(2345, "flanneld", 0, 0)), idle.processes());
    }

    @Test
    void agentTickSendsInventoryOnceThenOnChangeAndProcessIoFromTheSecondTick() throws IOException {
        Path root = copyFixture();
        NodeAgent agent = new NodeAgent(new NodeAgentSettings("demo-1", "node01", "10.20.0.11", root.resolve("proc"),
                root.resolve("sys"), Set.of("flanneld"), 5, Duration.ofMinutes(10), Duration.ofSeconds(30)));
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        List<CloudEvent<?>> first = agent.tick(t, 0);
        assertEquals(List.of(EventType.NODE_INTERFACES, EventType.HEARTBEAT), types(first));
        NodeInterfaces inv = first.get(0).as(NodeInterfaces.class).data();
        assertEquals("10.20.0.11", inv.hostIP());
        assertEquals("3.10.0-1160.el7.x86_64", inv.kernelVersion());
        assertEquals("/clusters/demo-1/nodes/node01/agent", first.get(0).source());
        // every event survives the contract's codec
        first.forEach(e -> assertEquals(e.id(), EventCodec.decode(EventCodec.encode(e)).id()));

        List<CloudEvent<?>> second = agent.tick(t.plusSeconds(10), 10_000_000_000L);
        assertEquals(List.of(EventType.PROCESS_IO), types(second), "inventory unchanged, heartbeat not due");
        assertEquals(10.0, second.get(0).as(ProcessIo.class).data().intervalSeconds());

        Files.writeString(root.resolve("sys/class/net/eth0/operstate"), "down\n");
        List<CloudEvent<?>> third = agent.tick(t.plusSeconds(20), 20_000_000_000L);
        assertEquals(List.of(EventType.PROCESS_IO, EventType.NODE_INTERFACES), types(third), "changed inventory");
        List<CloudEvent<?>> fourth = agent.tick(t.plusSeconds(30), 30_000_000_000L);
        assertEquals(List.of(EventType.PROCESS_IO, EventType.HEARTBEAT), types(fourth));
        List<CloudEvent<?>> later = agent.tick(t.plusSeconds(620), 620_000_000_000L);
        assertTrue(types(later).contains(EventType.NODE_INTERFACES), "re-sent after 10 minutes");
    }

    @Test
    void nodeSampleCommandPrintsCloudEventLinesForTheFixtureTree() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = NodeSampleMain.run(new String[] {"--procfs", FIXTURE.resolve("proc").toString(), "--sysfs",
                FIXTURE.resolve("sys").toString(), "--interval", "0.05", "--count", "2", "--cluster", "demo-1",
                "--host-ip", "10.20.0.11"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        List<CloudEvent<?>> events = out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).toList();
        assertEquals(List.of(EventType.NODE_INTERFACES, EventType.HEARTBEAT, EventType.PROCESS_IO,
                EventType.PROCESS_IO), types(events));
        assertEquals("node01", events.get(0).as(NodeInterfaces.class).data().node(), "node name from the tree");
        ProcessIo io = events.get(2).as(ProcessIo.class).data();
        assertEquals(List.of(new ProcessIo.Process(2345, "flanneld", 0, 0)), io.processes(), "static tree: idle");
    }

    private static List<EventType> types(List<CloudEvent<?>> events) {
        return events.stream().map(CloudEvent::type).toList();
    }

    private Path copyFixture() throws IOException {
        Path root = tmp.resolve("tree");
        try (Stream<Path> all = Files.walk(FIXTURE)) {
            for (Path p : all.toList()) {
                Path target = root.resolve(FIXTURE.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return root;
    }

    private static void io(Path proc, int pid, long read, long write) throws IOException {
        Files.writeString(proc.resolve(pid + "/io"), "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: " + read
                + "\nwrite_bytes: " + write + "\ncancelled_write_bytes: 0\n");
    }

    private static void stat(Path proc, int pid, String comm, long start) throws IOException {
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (" + comm + ") S 1 " + pid + " " + pid
                + " 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 " + start + " 12345678 300 0\n");
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(x);
            }
        }
    }
}
