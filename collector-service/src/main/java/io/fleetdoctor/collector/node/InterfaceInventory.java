package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.NodeInterfaces;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A node's interface inventory read from files only, so it works the same on a live node and on a
 * fixture tree:
 * <ul>
 *   <li>the network files come from {@code <procfs>/1/net}, the network namespace of PID 1 (the node's
 *       init with hostPID or the host's /proc), else {@code <procfs>/self/net} (the reader's own: a laptop,
 *       a pod without hostPID), else {@code <procfs>/net} (fixture trees); the choice is reported once
 *       through the notice callback, and again whenever it changes ({@link NetDir});</li>
 *   <li>names from {@code <sysfs>/class/net} (directories only: {@code bonding_masters} is a file there),
 *       {@code physical} (has a {@code device} entry) and {@code up}; {@code kind} and {@code lower} from
 *       the same directory ({@link LinkKinds}). sysfs shows the interfaces of the network namespace of
 *       whoever mounted it, so in a pod it must be the host's /sys, mounted;</li>
 *   <li>IPv4 addresses: the local addresses of {@code fib_trie} ({@code /32 host LOCAL}), attributed to an
 *       interface and prefix length by the longest connected (gateway-less) route of {@code route} that
 *       contains them ({@code 127/8} goes to {@code lo});</li>
 *   <li>an address that no route contains at all is a point-to-point main address, a {@code /32} as GCE
 *       and Hetzner configure it ({@code 10.128.0.5/32} on ens4, {@code default via 10.128.0.1}, reached
 *       through an on-link {@code 10.128.0.1} route): it is put, as {@code /32}, on the interface of the
 *       default route when exactly one interface has a default route whose gateway is on-link (no
 *       connected subnet of that interface contains the gateway). With several such addresses (kube-proxy
 *       IPVS puts every Service IP on kube-ipvs0 without a route) only one is put there: the node's
 *       InternalIP when it is one of them, else the one sharing the longest prefix with the gateway;</li>
 *   <li>IPv6 addresses from {@code if_inet6};</li>
 *   <li>the default route: {@code route} destination and mask {@code 00000000}.</li>
 * </ul>
 * Limitation: an IPv4 address that is the network address of another interface's subnet, such as
 * flannel.1's {@code /32} (the network address of the node's pod subnet, whose connected route belongs to
 * cni0), is not listed; nor are the other route-less addresses next to a point-to-point main address.
 */
public final class InterfaceInventory {

    private static final int RTF_GATEWAY = 0x2;
    private static final int RTF_UP = 0x1;

    private final Path procfs;
    private final Path sysfs;
    private final String hostIp;
    private final Consumer<String> notice;
    private String lastChoice;

    public InterfaceInventory(Path procfs, Path sysfs) {
        this(procfs, sysfs, null, message -> { });
    }

    /**
     * @param hostIp the node's InternalIP, or null: picks the point-to-point main address among route-less ones
     * @param notice told which network namespace is read, at the first read and whenever that changes
     */
    public InterfaceInventory(Path procfs, Path sysfs, String hostIp, Consumer<String> notice) {
        this.procfs = procfs;
        this.sysfs = sysfs;
        this.hostIp = hostIp;
        this.notice = notice;
    }

    record Route(String iface, int dest, int mask, int flags, int gateway) {
        boolean hasGateway() {
            return (flags & RTF_GATEWAY) != 0;
        }

        boolean contains(int ip) {
            return (ip & mask) == dest;
        }
    }

    /** The interfaces sorted by name. */
    public List<NodeInterfaces.Interface> read() throws IOException {
        Path classNet = sysfs.resolve("class").resolve("net");
        Map<String, Set<String>> addresses = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(classNet)) {
            for (Path p : dir) {
                if (Files.isDirectory(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        }
        for (String n : names) {
            addresses.put(n, new LinkedHashSet<>());
        }
        NetDir.Chosen chosen = NetDir.choose(procfs);
        Path net = chosen == null ? procfs.resolve(NetDir.CANDIDATES.get(0)) : chosen.dir();
        String choice = chosen == null ? "" : net.toString();
        if (!choice.equals(lastChoice)) {
            notice.accept(chosen == null ? "interface inventory: no readable route file in " + procfs + "/{"
                    + String.join(",", NetDir.CANDIDATES) + "}: no addresses or routes" : NetDir.describe(procfs, chosen));
            lastChoice = choice;
        }
        List<Route> routes = chosen == null ? List.of() : routes(chosen.routeLines());
        Set<Integer> local = localIpv4(net.resolve("fib_trie"));
        List<Integer> routeless = new ArrayList<>();
        for (int ip : local) {
            Route best = null;
            boolean inSomeRoute = false;
            for (Route r : routes) {
                if (r.mask == 0 || !r.contains(ip)) {
                    continue;
                }
                inSomeRoute = true;
                if (r.hasGateway()) {
                    continue;
                }
                if (ip == r.dest && Integer.bitCount(r.mask) < 31) {
                    continue; // the subnet's own network address: not a host of it (flannel.1's /32)
                }
                if (best == null || Integer.bitCount(r.mask) > Integer.bitCount(best.mask)) {
                    best = r;
                }
            }
            String iface;
            int prefix;
            if (best != null) {
                iface = best.iface;
                prefix = Integer.bitCount(best.mask);
            } else if ((ip >>> 24) == 127) {
                iface = "lo";
                prefix = 8;
            } else {
                if (!inSomeRoute) {
                    routeless.add(ip);
                }
                continue;
            }
            Set<String> set = addresses.get(iface);
            if (set != null) {
                set.add(ipv4(ip) + "/" + prefix);
            }
        }
        pointToPoint(routes, routeless, addresses);
        for (String[] a : ipv6(net.resolve("if_inet6"))) {
            Set<String> set = addresses.get(a[0]);
            if (set != null) {
                set.add(a[1]);
            }
        }
        Set<String> defaults = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.dest == 0 && r.mask == 0 && (r.flags & RTF_UP) != 0) {
                defaults.add(r.iface);
            }
        }
        Map<String, String> vlanParents = LinkKinds.vlanParents(net);
        List<NodeInterfaces.Interface> out = new ArrayList<>();
        for (String n : addresses.keySet()) {
            Path ifDir = classNet.resolve(n);
            boolean physical = Files.exists(ifDir.resolve("device"));
            LinkKinds.Link link = LinkKinds.classify(classNet, n, vlanParents);
            out.add(new NodeInterfaces.Interface(n, physical, isUp(ifDir), new ArrayList<>(addresses.get(n)),
                    defaults.contains(n), link.kind(), link.lower()));
        }
        return out;
    }

    /**
     * The route-less main address of a point-to-point setup goes to the one interface whose default
     * gateway is on-link (see the class comment); nothing is guessed when that interface is not unique.
     */
    private void pointToPoint(List<Route> routes, List<Integer> routeless, Map<String, Set<String>> addresses) {
        if (routeless.isEmpty()) {
            return;
        }
        Map<String, Integer> onLinkGateway = new TreeMap<>();
        for (Route d : routes) {
            if (d.dest != 0 || d.mask != 0 || !d.hasGateway() || (d.flags & RTF_UP) == 0) {
                continue;
            }
            boolean inSubnet = routes.stream().anyMatch(r -> r.iface.equals(d.iface) && !r.hasGateway()
                    && r.mask != 0 && Integer.bitCount(r.mask) < 32 && r.contains(d.gateway));
            if (!inSubnet) {
                onLinkGateway.putIfAbsent(d.iface, d.gateway);
            }
        }
        if (onLinkGateway.size() != 1) {
            return;
        }
        Map.Entry<String, Integer> e = onLinkGateway.entrySet().iterator().next();
        Set<String> set = addresses.get(e.getKey());
        if (set == null) {
            return;
        }
        Integer host = hostIp == null ? null : parseIpv4(hostIp.trim());
        Integer pick = null;
        if (host != null && routeless.contains(host)) {
            pick = host;
        } else {
            int best = -1;
            boolean tie = false;
            for (int ip : routeless) {
                int common = Integer.numberOfLeadingZeros(ip ^ e.getValue());
                if (common > best) {
                    best = common;
                    pick = ip;
                    tie = false;
                } else if (common == best) {
                    tie = true;
                }
            }
            if (tie) {
                return;
            }
        }
        set.add(ipv4(pick) + "/32");
    }

    /** operstate {@code up}; {@code unknown} (loopback, some virtual links) counts when IFF_UP is set. */
    static boolean isUp(Path ifDir) {
        String state = readTrimmed(ifDir.resolve("operstate"));
        if ("up".equals(state)) {
            return true;
        }
        if ("unknown".equals(state)) {
            String flags = readTrimmed(ifDir.resolve("flags"));
            if (flags != null && flags.startsWith("0x")) {
                try {
                    return (Long.parseLong(flags.substring(2), 16) & 0x1) != 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }

    private static String readTrimmed(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** Rows of a {@code route} file; addresses converted to network order (big-endian int). */
    static List<Route> routes(List<String> lines) {
        List<Route> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            try {
                out.add(new Route(f[0], hostHex(f[1]), hostHex(f[7]), Integer.parseInt(f[3], 16), hostHex(f[2])));
            } catch (NumberFormatException e) {
                // skip a malformed row
            }
        }
        return out;
    }

    /** /proc/net/route prints the in-memory (network order) bytes as a host-order hex number. */
    private static int hostHex(String hex) {
        int v = (int) Long.parseLong(hex, 16);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    /** The {@code /32 host LOCAL} leaves of {@code fib_trie}: the node's own IPv4 addresses. */
    static Set<Integer> localIpv4(Path file) throws IOException {
        Set<Integer> out = new LinkedHashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return out;
        }
        String lastLeaf = null;
        for (String raw : lines) {
            String line = raw.trim();
            if (line.startsWith("|-- ")) {
                lastLeaf = line.substring(4).trim();
            } else if (line.startsWith("/32 host LOCAL") && lastLeaf != null) {
                Integer ip = parseIpv4(lastLeaf);
                if (ip != null) {
                    out.add(ip);
                }
            } else if (line.startsWith("+-- ")) {
                lastLeaf = null;
            }
        }
        return out;
    }

    static Integer parseIpv4(String s) {
        String[] p = s.split("\\.");
        if (p.length != 4) {
            return null;
        }
        int v = 0;
        try {
            for (String o : p) {
                int b = Integer.parseInt(o);
                if (b < 0 || b > 255) {
                    return null;
                }
                v = (v << 8) | b;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return v;
    }

    static String ipv4(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** [iface, cidr] pairs from {@code if_inet6} ({@code addr ifindex prefixlen scope flags name}). */
    static List<String[]> ipv6(Path file) throws IOException {
        List<String[]> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[0].length() != 32) {
                continue;
            }
            try {
                byte[] b = new byte[16];
                for (int i = 0; i < 16; i++) {
                    b[i] = (byte) Integer.parseInt(f[0].substring(i * 2, i * 2 + 2), 16);
                }
                String addr = InetAddress.getByAddress(b).getHostAddress();
                out.add(new String[] {f[5], compress(addr) + "/" + Integer.parseInt(f[2], 16)});
            } catch (NumberFormatException | UnknownHostException e) {
                // skip
            }
        }
        return out;
    }

    /** Java prints IPv6 uncompressed ({@code fe80:0:0:0:...}); shorten the longest zero run to {@code ::}. */
    static String compress(String addr) {
        int pct = addr.indexOf('%');
        if (pct >= 0) {
            addr = addr.substring(0, pct);
        }
        String[] g = addr.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        String left = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return left + "::" + right;
    }
}
