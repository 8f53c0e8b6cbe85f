package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.NodeInterfaces.Interface;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reading a node's interfaces the way flannel sees the network: which interfaces are uplinks (a NIC, a
 * bond or team, a VLAN, a bridge over one of those; never a bond's member on its own, never a container
 * or overlay device), and which one carries the node's cluster address. Pure.
 */
public final class NodeNetwork {
    private static final Set<String> UPLINK_KINDS = Set.of(Interface.PHYSICAL, Interface.BOND, Interface.TEAM,
            Interface.VLAN);

    private NodeNetwork() {
    }

    /** Interfaces that connect the node to other nodes: up, with IPv4, of an uplink kind, not enslaved. */
    public static List<Interface> uplinks(NodeInterfaces inv) {
        Map<String, Interface> byName = new LinkedHashMap<>();
        inv.interfaces().forEach(i -> byName.put(i.name(), i));
        Set<String> members = new HashSet<>();
        for (Interface i : inv.interfaces()) {
            String k = i.effectiveKind();
            if (k.equals(Interface.BOND) || k.equals(Interface.TEAM) || k.equals(Interface.BRIDGE)) {
                members.addAll(i.lower());
            }
        }
        List<Interface> out = new ArrayList<>();
        for (Interface i : inv.interfaces()) {
            if (!i.up() || !i.hasIpv4() || members.contains(i.name())) {
                continue;
            }
            String k = i.effectiveKind();
            if (UPLINK_KINDS.contains(k) || (k.equals(Interface.BRIDGE) && i.lower().stream()
                    .map(byName::get).anyMatch(p -> p != null && UPLINK_KINDS.contains(p.effectiveKind())))) {
                out.add(i);
            }
        }
        return out;
    }

    /** The interface carrying the node's hostIP, or null. */
    public static String carrier(NodeInterfaces inv) {
        for (Interface i : inv.interfaces()) {
            if (i.carries(inv.hostIP())) {
                return i.name();
            }
        }
        return null;
    }

    /**
     * The interface of each node's cluster address. Normally the one carrying its InternalIP; when several
     * nodes report the same InternalIP (Vagrant-style NAT: every node has 10.0.2.15), the one uplink whose
     * IPv4 addresses differ across those nodes and share a subnet.
     *
     * @param explain receives one sentence per group of nodes sharing an InternalIP
     * @return node → interface; nodes without an answer are left out
     */
    public static Map<String, String> clusterInterfaces(Map<String, NodeInterfaces> inventories,
                                                        java.util.function.BiConsumer<Collection<String>, String> explain) {
        Map<String, List<String>> byHostIp = new TreeMap<>();
        inventories.forEach((node, inv) -> {
            if (inv.hostIP() != null) {
                byHostIp.computeIfAbsent(inv.hostIP(), k -> new ArrayList<>()).add(node);
            }
        });
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> g : byHostIp.entrySet()) {
            List<String> nodes = g.getValue();
            if (nodes.size() == 1) {
                String c = carrier(inventories.get(nodes.get(0)));
                if (c != null) {
                    out.put(nodes.get(0), c);
                }
                continue;
            }
            String shared = carrier(inventories.get(nodes.get(0)));
            List<String> candidates = distinctSubnetInterfaces(nodes, inventories, shared);
            if (candidates.size() == 1) {
                String iface = candidates.get(0);
                nodes.forEach(n -> out.put(n, iface));
                explain.accept(nodes, "nodes " + String.join(", ", nodes) + " all report InternalIP " + g.getKey()
                        + (shared == null ? "" : " (on " + shared + ")") + ", so it is no cluster address; " + iface
                        + " has a different address on each of them in one subnet: flannel must use " + iface
                        + ", and kubelet --node-ip should be set to each node's " + iface + " address");
            } else {
                explain.accept(nodes, "nodes " + String.join(", ", nodes) + " all report InternalIP " + g.getKey()
                        + " and " + (candidates.isEmpty() ? "no interface" : "several interfaces " + candidates)
                        + " has distinct addresses in one subnet on each: choose the interface by hand and set"
                        + " kubelet --node-ip");
            }
        }
        return out;
    }

    private static List<String> distinctSubnetInterfaces(List<String> nodes, Map<String, NodeInterfaces> inventories,
                                                         String sharedCarrier) {
        Set<String> names = null;
        for (String n : nodes) {
            Set<String> here = new TreeSet<>();
            uplinks(inventories.get(n)).forEach(i -> here.add(i.name()));
            if (names == null) {
                names = here;
            } else {
                names.retainAll(here);
            }
        }
        List<String> out = new ArrayList<>();
        for (String name : names == null ? Set.<String>of() : names) {
            if (name.equals(sharedCarrier)) {
                continue;
            }
            Set<String> addresses = new HashSet<>();
            Set<String> subnets = new HashSet<>();
            boolean ok = true;
            for (String n : nodes) {
                String cidr = firstIpv4(inventories.get(n), name);
                if (cidr == null || !addresses.add(cidr.substring(0, cidr.indexOf('/')))) {
                    ok = false;
                    break;
                }
                subnets.add(network(cidr));
            }
            if (ok && subnets.size() == 1) {
                out.add(name);
            }
        }
        return out;
    }

    private static String firstIpv4(NodeInterfaces inv, String name) {
        for (Interface i : inv.interfaces()) {
            if (i.name().equals(name)) {
                for (String a : i.addresses()) {
                    if (a.indexOf(':') < 0 && a.indexOf('/') > 0) {
                        return a;
                    }
                }
            }
        }
        return null;
    }

    /** {@code 192.168.56.11/24} → {@code 192.168.56.0/24}. */
    static String network(String cidr) {
        int slash = cidr.indexOf('/');
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        String[] p = cidr.substring(0, slash).split("\\.");
        long ip = 0;
        for (String o : p) {
            ip = (ip << 8) | Integer.parseInt(o);
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        long net = ip & mask;
        return ((net >> 24) & 255) + "." + ((net >> 16) & 255) + "." + ((net >> 8) & 255) + "." + (net & 255) + "/" + prefix;
    }
}
