package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.NodeInterfaces.Interface;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An interface's {@code kind} and {@code lower} from {@code <sysfs>/class/net/<if>} alone. The kernel's
 * rtnetlink "kind" is not in sysfs, so it is read from what the drivers leave there:
 * <ol>
 *   <li>{@code lo} (or link type 772) is virtual;</li>
 *   <li>bond: a {@code bonding/} directory or {@code DEVTYPE=bond} in {@code uevent}; members from
 *       {@code bonding/slaves} (enslave order), else the {@code lower_*} (or pre-3.13 {@code slave_*}) links;</li>
 *   <li>VLAN: {@code DEVTYPE=vlan}; parent from its {@code lower_*} link, else {@code <net>/vlan/config};</li>
 *   <li>bridge: a {@code bridge/} directory or {@code DEVTYPE=bridge}; ports from {@code brif/}. A container
 *       bridge (cni0, docker0, cbr0, ...) is {@code virtual}: it never carries the node's address;</li>
 *   <li>another {@code DEVTYPE} (vxlan, geneve, wireguard, wlan, ...): physical with a {@code device}, else virtual;</li>
 *   <li>a {@code device} link: physical;</li>
 *   <li>container and overlay names (veth*, flannel.*, cali*, kube-ipvs0, tun*, dummy*, ...): virtual;</li>
 *   <li>team: the team driver sets no DEVTYPE and has no sysfs directory of its own, so a device whose
 *       {@code lower_*} devices name it as their {@code master} (the link every master/port pair gets) is a
 *       team, and so is a portless {@code team<N>};</li>
 *   <li>macvlan: exactly one {@code lower_*} link that is not a port of it. macvlan sets no DEVTYPE either,
 *       so ipvlan and macvtap, which look the same in sysfs, are reported as macvlan too;</li>
 *   <li>anything else (veth, tun, dummy, ifb, ...) is virtual.</li>
 * </ol>
 */
final class LinkKinds {

    /** A kind and the interfaces under it. */
    record Link(String kind, List<String> lower) {
    }

    /** Bridges that containers and CNIs make for their pods: never the node's own network. */
    static final Pattern CONTAINER_BRIDGE = Pattern.compile(
            "cni\\d*|docker\\d*|br-[0-9a-f]{12}|cbr\\d+|kube-bridge|weave|virbr\\d+|lxcbr\\d+|lxdbr\\d+|podman\\d+");

    /** Container, CNI and overlay devices, whatever their sysfs says. */
    static final Pattern CONTAINER_OR_OVERLAY = Pattern.compile(
            "veth.*|flannel.*|cali.*|tunl\\d+|vxlan.*|genev_sys_.*|kube-ipvs\\d*|kube-dummy-if|nodelocaldns"
                    + "|cilium_.*|lxc.*|vethwe.*|datapath|ovs-system|tun\\d*|tap.*|dummy\\d*|wg\\d*|ifb\\d+");

    private static final Pattern TEAM_NAME = Pattern.compile("team\\d+");
    private static final int ARPHRD_LOOPBACK = 772;

    private LinkKinds() {
    }

    /**
     * @param classNet    {@code <sysfs>/class/net}
     * @param vlanParents VLAN name to parent from {@code <net>/vlan/config} (kernels without lower_* links)
     */
    static Link classify(Path classNet, String name, Map<String, String> vlanParents) {
        Path dir = classNet.resolve(name);
        String devtype = devtype(dir);
        if ("lo".equals(name) || String.valueOf(ARPHRD_LOOPBACK).equals(read(dir.resolve("type")))) {
            return new Link(Interface.VIRTUAL, List.of());
        }
        if (Files.isDirectory(dir.resolve("bonding")) || "bond".equals(devtype)) {
            String slaves = read(dir.resolve("bonding").resolve("slaves"));
            List<String> members = slaves == null || slaves.isBlank() ? List.of()
                    : Arrays.asList(slaves.trim().split("\\s+"));
            if (members.isEmpty()) {
                members = links(dir, "lower_");
            }
            if (members.isEmpty()) {
                members = links(dir, "slave_");
            }
            return new Link(Interface.BOND, members);
        }
        if ("vlan".equals(devtype)) {
            List<String> parent = links(dir, "lower_");
            if (parent.isEmpty() && vlanParents.containsKey(name)) {
                parent = List.of(vlanParents.get(name));
            }
            return new Link(Interface.VLAN, parent);
        }
        if (Files.isDirectory(dir.resolve("bridge")) || "bridge".equals(devtype)) {
            if (CONTAINER_BRIDGE.matcher(name).matches()) {
                return new Link(Interface.VIRTUAL, List.of());
            }
            List<String> ports = entries(dir.resolve("brif"));
            return new Link(Interface.BRIDGE, ports.isEmpty() ? links(dir, "lower_") : ports);
        }
        boolean device = Files.exists(dir.resolve("device"));
        if (devtype != null) {
            return new Link(device ? Interface.PHYSICAL : Interface.VIRTUAL, List.of());
        }
        if (device) {
            return new Link(Interface.PHYSICAL, List.of());
        }
        if (CONTAINER_OR_OVERLAY.matcher(name).matches()) {
            return new Link(Interface.VIRTUAL, List.of());
        }
        List<String> lower = links(dir, "lower_");
        List<String> ports = new ArrayList<>();
        for (String l : lower) {
            if (name.equals(linkName(classNet.resolve(l).resolve("master")))) {
                ports.add(l);
            }
        }
        if (!ports.isEmpty() || TEAM_NAME.matcher(name).matches()) {
            return new Link(Interface.TEAM, ports);
        }
        if (lower.size() == 1) {
            return new Link(Interface.MACVLAN, lower);
        }
        return new Link(Interface.VIRTUAL, List.of());
    }

    /** {@code <net>/vlan/config} rows {@code eth0.100 | 100 | eth0}: VLAN name to parent. */
    static Map<String, String> vlanParents(Path netDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(netDir.resolve("vlan").resolve("config"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return Map.of(); // no 8021q module, or not readable: lower_* links are the main source anyway
        }
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : lines) {
            String[] f = line.split("\\|");
            if (f.length == 3 && f[1].trim().matches("\\d+")) {
                out.put(f[0].trim(), f[2].trim());
            }
        }
        return out;
    }

    private static String devtype(Path dir) {
        String uevent = read(dir.resolve("uevent"));
        if (uevent == null) {
            return null;
        }
        for (String line : uevent.split("\n")) {
            if (line.startsWith("DEVTYPE=")) {
                String v = line.substring("DEVTYPE=".length()).trim();
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    /** Names after {@code prefix} of the entries of {@code dir} (the adjacency links), sorted. */
    private static List<String> links(Path dir, String prefix) {
        List<String> out = new ArrayList<>();
        for (String e : entries(dir)) {
            if (e.startsWith(prefix) && e.length() > prefix.length()) {
                out.add(e.substring(prefix.length()));
            }
        }
        return out;
    }

    private static List<String> entries(Path dir) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(dir)) {
            for (Path p : d) {
                out.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            return List.of();
        }
        Collections.sort(out);
        return out;
    }

    /** The last name of a symlink's target ({@code master -> ../../virtual/net/team0} gives team0). */
    private static String linkName(Path link) {
        try {
            Path target = Files.readSymbolicLink(link);
            return target.getFileName() == null ? null : target.getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
