package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.NodeInterfaces.Interface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kind, lower and point-to-point addresses on layouts the build kernel cannot create (bond, team, VLAN) or
 * that were captured from it (GCE- and Hetzner-style {@code /32}): {@code src/test/layouts}, see its README. {@link NetNamespaceTest} covers bridge, veth, macvlan and vxlan on the real kernel.
 */
class InterfaceLayoutsTest {

    static final Path LAYOUTS = Path.of("src/test/layouts");
    static final Path NODE_FIXTURE = Path.of("src/test/resources/node-fixture");

    @TempDir
    Path tmp;

    @Test
    void bondWithTwoMembers() throws IOException {
        Map<String, Interface> ifs = read(LAYOUTS.resolve("bond"), null);
        assertEquals(List.of("bond0", "eth0", "eth1", "lo"), List.copyOf(ifs.keySet()),
                "bonding_masters is a file in class/net, not an interface");
        assertEquals(Interface.BOND, ifs.get("bond0").kind());
        assertEquals(List.of("eth0", "eth1"), ifs.get("bond0").lower());
        assertFalse(ifs.get("bond0").physical(), "the bond itself has no device: physical stays as before");
        for (String m : List.of("eth0", "eth1")) {
            assertEquals(Interface.PHYSICAL, ifs.get(m).kind(), m);
            assertTrue(ifs.get(m).physical(), m);
            assertEquals(List.of(), ifs.get(m).lower(), m);
        }
        assertEquals(Interface.VIRTUAL, ifs.get("lo").kind());
    }

    @Test
    void teamIsRecognizedByItsPortsNamingItMaster() throws IOException {
        Map<String, Interface> ifs = read(LAYOUTS.resolve("team"), null);
        assertEquals(Interface.TEAM, ifs.get("team0").kind());
        assertEquals(List.of("eth0", "eth1"), ifs.get("team0").lower());
        assertEquals(Interface.PHYSICAL, ifs.get("eth0").kind());
    }

    @Test
    void vlanParentFromItsLowerLink() throws IOException {
        Map<String, Interface> ifs = read(LAYOUTS.resolve("vlan"), null);
        assertEquals(Interface.VLAN, ifs.get("eth0.100").kind());
        assertEquals(List.of("eth0"), ifs.get("eth0.100").lower());
        assertEquals(Interface.PHYSICAL, ifs.get("eth0").kind());
        assertEquals(List.of(), ifs.get("eth0").lower(), "upper_* links do not make a NIC a master");
    }

    @Test
    void vlanParentFromProcNetVlanConfigWithoutAdjacencyLinks() throws IOException {
        Map<String, Interface> ifs = read(LAYOUTS.resolve("vlan-proc"), null);
        assertEquals(Interface.VLAN, ifs.get("eth0.100").kind());
        assertEquals(List.of("eth0"), ifs.get("eth0.100").lower());
    }

    @Test
    void kindsOfTheNodeFixture() throws IOException {
        Map<String, Interface> ifs = read(NODE_FIXTURE, null);
        Map<String, String> kinds = ifs.values().stream().collect(Collectors.toMap(Interface::name, Interface::kind));
        assertEquals(Map.of("lo", "virtual", "eth0", "physical", "eth1", "physical", "cni0", "virtual",
                "flannel.1", "virtual", "veth1a2b3c4d", "virtual", "veth5e6f7a8b", "virtual"), kinds);
    }

    @Test
    void gceStyleSlash32MainAddressGoesToTheNicWithTheOnLinkGateway() throws IOException {
        Map<String, Interface> ifs = read(LAYOUTS.resolve("gce-ipvs"), null);
        assertEquals(List.of("10.128.0.5/32"), ifs.get("ens4").addresses(),
                "the route-less address nearest to the gateway 10.128.0.1, not the IPVS Service IPs");
        assertTrue(ifs.get("ens4").defaultRoute());
        assertEquals(List.of(), ifs.get("kube-ipvs0").addresses(), "no file says where Service IPs live");
        assertEquals(ifs.get("ens4").addresses(), read(LAYOUTS.resolve("gce-ipvs"), "10.128.0.5")
                .get("ens4").addresses(), "the InternalIP hint agrees");
    }

    @Test
    void hetznerStyleSlash32NeedsTheInternalIpWhenServiceIpsAreAsFarFromTheGateway() throws IOException {
        Path tree = LAYOUTS.resolve("hetzner-ipvs");
        assertEquals(List.of(), read(tree, null).get("eth0").addresses(),
                "95.217.10.20 and the 10.96.0.x Service IPs share no prefix with 172.31.1.1: no guess");
        assertEquals(List.of("95.217.10.20/32"), read(tree, "95.217.10.20").get("eth0").addresses());
        assertEquals(List.of(), read(tree, "10.99.99.99").get("eth0").addresses(), "a hint that is no local address");
    }

    @Test
    void netDirFallsBackFromPid1ToSelfAndSaysSoOnceAndOnChange() throws IOException {
        Path proc = tmp.resolve("proc");
        copyTree(NODE_FIXTURE.resolve("proc/1/net"), proc.resolve("self/net"));
        List<String> notices = new ArrayList<>();
        InterfaceInventory inv = new InterfaceInventory(proc, NODE_FIXTURE.resolve("sys"), null, notices::add);
        assertEquals(List.of("10.20.0.11/24"), byName(inv.read()).get("eth1").addresses());
        inv.read();
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains(proc.resolve("1/net") + " is not readable (no such file)")
                && notices.get(0).contains("reading this process's own network namespace " + proc.resolve("self/net")),
                notices.get(0));

        copyTree(NODE_FIXTURE.resolve("proc/1/net"), proc.resolve("1/net"));
        inv.read();
        inv.read();
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(1).startsWith("interface inventory: reading the network namespace of PID 1")
                && notices.get(1).contains(proc.resolve("1/net").toString()), notices.get(1));
    }

    private static Map<String, Interface> read(Path tree, String hostIp) throws IOException {
        return byName(new InterfaceInventory(tree.resolve("proc"), tree.resolve("sys"), hostIp, m -> { }).read());
    }

    private static Map<String, Interface> byName(List<Interface> ifs) {
        return ifs.stream().collect(Collectors.toMap(Interface::name, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName().toString()));
            }
        }
    }
}
