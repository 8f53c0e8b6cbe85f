package io.fleetdoctor.collector.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.NodeInterfaces.Interface;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The node agent in a network namespace of its own, on the real kernel: the situation of a pod without
 * hostNetwork. Needs root, {@code unshare} and {@code ip} (util-linux, iproute2); skipped otherwise.
 */
class NetNamespaceTest {

    @TempDir
    Path tmp;

    private String java;

    @BeforeEach
    void needsRootUnshareAndIp() throws Exception {
        assumeTrue(isRoot(), "needs root: unshare -n and mounting sysfs need CAP_SYS_ADMIN");
        assumeTrue(onPath("unshare"), "needs unshare (util-linux) on the PATH");
        assumeTrue(onPath("ip"), "needs ip (iproute2) on the PATH");
        java = ProcessHandle.current().info().command().orElseThrow();
    }

    /**
     * {@code node-sample --procfs /proc --sysfs /sys} in a child network namespace (only {@code lo}) reports
     * the host's interfaces, addresses and default route: what this JVM, in the host namespace, reads from its
     * own {@code /proc/self/net} and the host's {@code /sys}.
     */
    @Test
    void nodeSampleInAChildNetworkNamespaceReportsTheHostsNetwork() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/1/net/route")).equals(Files.readString(Path.of("/proc/self/net/route")))
                        && Files.readString(Path.of("/proc/1/net/fib_trie"))
                        .equals(Files.readString(Path.of("/proc/self/net/fib_trie"))),
                "this JVM must be in PID 1's network namespace (the host's) to compare with it");
        Result own = run(List.of("unshare", "-n", "--", "cat", "/proc/self/net/dev"), Map.of());
        assumeTrue(own.rc == 0, "unshare -n refused: " + own.err);
        assertEquals(List.of("lo"), devNames(own.out), "the child namespace has a lone lo: the test runs elsewhere");

        Result r = run(List.of("unshare", "-n", "--", java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NodeSampleMain.class.getName(), "--procfs", "/proc",
                "--sysfs", "/sys", "--count", "1", "--interval", "0.05", "--cluster", "test", "--node", "probe"), Map.of());
        assertEquals(0, r.rc, r.err);
        NodeInterfaces seen = inventory(r.out);

        // this JVM's own namespace, read through a procfs root whose only entry is self -> /proc/self
        Path selfOnly = Files.createDirectories(tmp.resolve("self-only"));
        Files.createSymbolicLink(selfOnly.resolve("self"), Path.of("/proc/self"));
        List<Interface> host = new InterfaceInventory(selfOnly, Path.of("/sys")).read();
        System.out.println("child namespace, node-sample: " + seen.interfaces());
        System.out.println("host namespace, /proc/self/net: " + host);
        System.out.println("node-sample stderr: " + r.err.trim());

        assertEquals(host, seen.interfaces());
        assertTrue(host.stream().anyMatch(i -> !i.name().equals("lo") && i.hasIpv4()),
                "the host has an IPv4 address besides lo, so the comparison says something");
        assertTrue(r.err.contains("reading the network namespace of PID 1"), r.err);
    }

    /**
     * kind and lower of interfaces made for real in a fresh network, mount and PID namespace (its PID 1 is
     * the setup shell, so {@code /proc/1/net} is that namespace, as on a node), checked against what netlink
     * says ({@code ip -d -j link}: info_kind, master, link), and the addresses against {@code ip -j addr},
     * including a {@code /32} main address with an on-link default gateway.
     */
    @Test
    void kindsLowersAndAddressesOfARealNamespace() throws Exception {
        Result probe = run(List.of("unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--", "true"),
                Map.of());
        assumeTrue(probe.rc == 0, "unshare --net --mount --pid refused: " + probe.err);
        String script = String.join("\n",
                "set -e",
                "fail() { echo \"setup: $*\" >&2; exit 77; }",
                "mount -t sysfs sysfs /sys || fail 'mount -t sysfs refused'",
                // no IPv6 autoconfiguration racing between ip's view and the agent's
                "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
                "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6",
                "ip link set lo up",
                "ip link add br0 type bridge || fail 'no bridge'",
                "ip link add veth-a type veth peer name veth-b || fail 'no veth'",
                "ip link set veth-a master br0",
                "ip link add mv0 link veth-b type macvlan mode bridge || fail 'no macvlan'",
                "ip link add vx42 type vxlan id 42 dstport 4789 dev veth-b || fail 'no vxlan'",
                "ip link add cni0 type bridge",
                "ip link add up0 type veth peer name up1",
                "for l in veth-a veth-b br0 mv0 vx42 cni0 up0 up1; do ip link set \"$l\" up; done",
                "ip addr add 10.99.0.1/24 dev br0",
                "ip addr add 10.77.0.5/32 dev up0",
                "ip route add 10.77.0.1/32 dev up0 scope link",
                "ip route add default via 10.77.0.1 dev up0",
                "ip -d -j link show > \"$OUT/links.json\"",
                "ip -j addr show > \"$OUT/addrs.json\"",
                "\"$JAVA\" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp \"$CP\" " + NodeSampleMain.class.getName()
                        + " --procfs /proc --sysfs /sys --count 1 --interval 0.05 --cluster test --node probe",
                "");
        Result r = run(List.of("unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--", "sh", "-c",
                script), Map.of("OUT", tmp.toString(), "JAVA", java, "CP", System.getProperty("java.class.path")));
        if (r.rc == 77) {
            abort("this kernel refused the setup: " + r.err.trim());
        }
        assertEquals(0, r.rc, r.err);
        Map<String, Interface> seen = inventory(r.out).interfaces().stream()
                .collect(Collectors.toMap(Interface::name, Function.identity()));
        System.out.println("child namespace: " + seen.values());

        JsonNode links = new ObjectMapper().readTree(tmp.resolve("links.json").toFile());
        Map<String, List<String>> ports = new HashMap<>();
        for (JsonNode l : links) {
            if (l.has("master")) {
                ports.computeIfAbsent(l.get("master").asText(), k -> new ArrayList<>()).add(l.get("ifname").asText());
            }
        }
        assertEquals(new TreeSet<>(names(links)), new TreeSet<>(seen.keySet()));
        for (JsonNode l : links) {
            String name = l.get("ifname").asText();
            String infoKind = l.path("linkinfo").path("info_kind").asText("");
            String kind = expectedKind(name, infoKind);
            List<String> lower = switch (kind) {
                case Interface.BRIDGE -> ports.getOrDefault(name, List.of()).stream().sorted().toList();
                case Interface.MACVLAN -> List.of(l.get("link").asText());
                default -> List.of();
            };
            assertEquals(kind, seen.get(name).kind(), name + " (" + infoKind + ")");
            assertEquals(lower, seen.get(name).lower(), name);
            assertEquals(false, seen.get(name).physical(), name);
        }
        assertEquals(Interface.BRIDGE, seen.get("br0").kind());
        assertEquals(List.of("veth-a"), seen.get("br0").lower());
        assertEquals(Interface.MACVLAN, seen.get("mv0").kind());
        assertEquals(List.of("veth-b"), seen.get("mv0").lower());
        assertEquals(Interface.VIRTUAL, seen.get("vx42").kind());
        assertEquals(Interface.VIRTUAL, seen.get("cni0").kind(), "a container bridge is not the node's network");

        Map<String, TreeSet<String>> addrs = new TreeMap<>();
        for (JsonNode a : new ObjectMapper().readTree(tmp.resolve("addrs.json").toFile())) {
            TreeSet<String> set = new TreeSet<>();
            a.path("addr_info").forEach(i -> set.add(i.get("local").asText() + "/" + i.get("prefixlen").asInt()));
            addrs.put(a.get("ifname").asText(), set);
        }
        for (Map.Entry<String, TreeSet<String>> e : addrs.entrySet()) {
            assertEquals(e.getValue(), new TreeSet<>(seen.get(e.getKey()).addresses()), e.getKey());
        }
        assertEquals(List.of("10.77.0.5/32"), seen.get("up0").addresses(), "the /32 main address is reported");
        assertTrue(seen.get("up0").defaultRoute());
        assertTrue(r.err.contains("reading the network namespace of PID 1"), r.err);
    }

    /** What the kinds mean in netlink terms (rtnl_link_ops kind). */
    private static String expectedKind(String name, String infoKind) {
        return switch (infoKind) {
            case "bridge" -> LinkKinds.CONTAINER_BRIDGE.matcher(name).matches() ? Interface.VIRTUAL : Interface.BRIDGE;
            case "macvlan", "macvtap", "ipvlan" -> Interface.MACVLAN;
            case "vlan" -> Interface.VLAN;
            case "bond" -> Interface.BOND;
            case "team" -> Interface.TEAM;
            default -> Interface.VIRTUAL; // lo (no linkinfo), veth, vxlan
        };
    }

    private static List<String> names(JsonNode links) {
        List<String> out = new ArrayList<>();
        links.forEach(l -> out.add(l.get("ifname").asText()));
        return out;
    }

    private static NodeInterfaces inventory(String stdout) {
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            CloudEvent<?> e = EventCodec.decode(line);
            if (e.type() == EventType.NODE_INTERFACES) {
                return e.as(NodeInterfaces.class).data();
            }
        }
        throw new AssertionError("no node-interfaces event in: " + stdout);
    }

    /** Interface names of a {@code /proc/net/dev} (two header lines, then {@code name: counters}). */
    private static List<String> devNames(String dev) {
        List<String> out = new ArrayList<>();
        String[] lines = dev.split("\n");
        for (int i = 2; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                out.add(lines[i].substring(0, colon).trim());
            }
        }
        return out;
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0"); // effective uid
            }
        }
        return false;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    record Result(int rc, String out, String err) {
    }

    private Result run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        String path = pb.environment().getOrDefault("PATH", "");
        pb.environment().put("PATH", path + ":/usr/sbin:/sbin"); // ip lives in sbin on some distributions
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        assertNotEquals(-1, r.rc);
        return r;
    }
}
