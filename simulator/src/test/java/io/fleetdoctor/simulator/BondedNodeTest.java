package io.fleetdoctor.simulator;

import io.fleetdoctor.collector.node.NodeAgent;
import io.fleetdoctor.collector.node.NodeAgentSettings;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.NodeInterfaces.Interface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node trees as the collector's node agent reads them: the default node and a bonded one. */
class BondedNodeTest {

    @TempDir
    Path dir;

    @Test
    void theAgentSeesBond0OverEth0AndEth1CarryingTheInternalIpAndTheDefaultRouteOnAVlan() throws Exception {
        NodeTree t = new NodeTree(dir.resolve("node02"), "node02", 2, 3, System.currentTimeMillis() - 3_600_000, true);
        t.create(40, System.currentTimeMillis());
        List<String> notices = new ArrayList<>();
        NodeInterfaces inv = inventory(t, notices);
        Map<String, Interface> ifs = byName(inv);

        assertEquals(Set.of("lo", "eth0", "eth1", "eth2", "bond0", "eth2.100", "flannel.1", "cni0",
                inv.interfaces().stream().map(Interface::name).filter(n -> n.startsWith("veth")).findFirst().orElseThrow()),
                ifs.keySet(), "bonding_masters is not an interface");
        Interface bond = ifs.get("bond0");
        assertEquals(Interface.BOND, bond.kind());
        assertEquals(List.of("eth0", "eth1"), bond.lower());
        assertEquals(List.of("192.168.10.13/24", "fe80::5054:ff:fe0a:1201/64"), bond.addresses());
        assertTrue(bond.carries(inv.hostIP()), "the InternalIP is on the bond");
        assertFalse(bond.physical());
        Interface vlan = ifs.get("eth2.100");
        assertEquals(Interface.VLAN, vlan.kind());
        assertEquals(List.of("eth2"), vlan.lower());
        assertTrue(vlan.defaultRoute());
        assertEquals(List.of("10.20.0.13/24", "fe80::5054:ff:fe14:1203/64"), vlan.addresses());
        for (String port : List.of("eth0", "eth1", "eth2")) {
            assertEquals(Interface.PHYSICAL, ifs.get(port).kind(), port);
            assertTrue(ifs.get(port).physical(), port);
            assertEquals(List.of(), ifs.get(port).addresses(), port + ": a port carries no address");
        }
        assertEquals(Interface.VIRTUAL, ifs.get("cni0").kind(), "the pod bridge is not the node's network");
        assertEquals(Interface.VIRTUAL, ifs.get("flannel.1").kind());
        assertEquals(List.of("bond0", "eth2.100"), inv.interfaces().stream().filter(Interface::hasIpv4)
                .map(Interface::name).filter(n -> !Set.of("lo", "cni0").contains(n)).sorted().toList());
        assertTrue(notices.get(0).contains("reading the network namespace of PID 1"), notices.toString());
        assertEquals(Map.of("lo", "127.0.0.1", "bond0", "192.168.10.13", "eth2.100", "10.20.0.13",
                "flannel.1", "172.20.2.0", "cni0", "172.20.2.1"), t.ipv4ByInterface(), "what flanneld can bind to");
    }

    @Test
    void theDefaultNodeIsUnchangedEth0CarriesTheInternalIp() throws Exception {
        NodeTree t = new NodeTree(dir.resolve("node01"), "node01", 1, 3, System.currentTimeMillis() - 3_600_000);
        t.create(40, System.currentTimeMillis());
        NodeInterfaces inv = inventory(t, new ArrayList<>());
        Map<String, Interface> ifs = byName(inv);
        assertEquals(Interface.PHYSICAL, ifs.get("eth0").kind());
        assertEquals(List.of("192.168.10.12/24", "fe80::5054:ff:fe0a:1101/64"), ifs.get("eth0").addresses());
        assertTrue(ifs.get("eth0").carries(inv.hostIP()));
        assertTrue(ifs.get("eth1").defaultRoute());
        assertEquals(Interface.VIRTUAL, ifs.get("cni0").kind());
        assertEquals(List.of(), ifs.get("cni0").lower(), "a container bridge: virtual, ports not listed");
        assertEquals("eth0", t.internalIface());
        assertEquals("eth1", t.defaultIface());
    }

    private static NodeInterfaces inventory(NodeTree t, List<String> notices) {
        NodeAgent agent = new NodeAgent(new NodeAgentSettings("demo-1", t.node(), t.eth0Address(), t.procfs(),
                t.sysfs(), Set.of("flanneld"), 5, Duration.ofMinutes(10), Duration.ofSeconds(30)), notices::add);
        List<CloudEvent<?>> events = agent.tick(Instant.now(), System.nanoTime());
        assertEquals(null, agent.lastInventoryError());
        return events.stream().filter(e -> e.type() == EventType.NODE_INTERFACES).findFirst().orElseThrow()
                .as(NodeInterfaces.class).data();
    }

    private static Map<String, Interface> byName(NodeInterfaces inv) {
        return inv.interfaces().stream().collect(Collectors.toMap(Interface::name, Function.identity()));
    }
}
