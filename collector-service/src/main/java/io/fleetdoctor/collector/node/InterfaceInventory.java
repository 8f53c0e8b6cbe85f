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

/**
 * A node's interface inventory read from files only, so it works the same on a live node and on a
 * fixture tree:
 * <ul>
 *   <li>names, {@code physical} (has a {@code device} entry) and {@code up} from {@code <sysfs>/class/net};</li>
 *   <li>IPv4 addresses: the local addresses of {@code <procfs>/net/fib_trie} ({@code /32 host LOCAL}),
 *       attributed to an interface and prefix length by the longest connected (gateway-less) route of
 *       {@code <procfs>/net/route} that contains them ({@code 127/8} goes to {@code lo});</li>
 *   <li>IPv6 addresses from {@code <procfs>/net/if_inet6};</li>
 *   <li>the default route: {@code <procfs>/net/route} destination and mask {@code 00000000}.</li>
 * </ul>
 * Limitation: an IPv4 address without a connected route of its own, such as flannel.1's {@code /32}
 * (the network address of the node's pod subnet, whose connected route belongs to cni0), is not listed.
 */
public final class InterfaceInventory {

    private static final int RTF_GATEWAY = 0x2;
    private static final int RTF_UP = 0x1;

    private final Path procfs;
    private final Path sysfs;

    public InterfaceInventory(Path procfs, Path sysfs) {
        this.procfs = procfs;
        this.sysfs = sysfs;
    }

    record Route(String iface, int dest, int mask, int flags) {
    }

    /** The interfaces sorted by name. */
    public List<NodeInterfaces.Interface> read() throws IOException {
        Path classNet = sysfs.resolve("class").resolve("net");
        Map<String, Set<String>> addresses = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(classNet)) {
            for (Path p : dir) {
                names.add(p.getFileName().toString());
            }
        }
        for (String n : names) {
            addresses.put(n, new LinkedHashSet<>());
        }
        List<Route> routes = routes(procfs.resolve("net").resolve("route"));
        for (int ip : localIpv4(procfs.resolve("net").resolve("fib_trie"))) {
            Route best = null;
            for (Route r : routes) {
                if ((r.flags & RTF_GATEWAY) != 0 || r.mask == 0) {
                    continue;
                }
                if (ip == r.dest && Integer.bitCount(r.mask) < 31) {
                    continue; // the subnet's own network address: not a host of it (flannel.1's /32)
                }
                if ((ip & r.mask) == r.dest && (best == null || Integer.bitCount(r.mask) > Integer.bitCount(best.mask))) {
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
                continue;
            }
            Set<String> set = addresses.get(iface);
            if (set != null) {
                set.add(ipv4(ip) + "/" + prefix);
            }
        }
        for (String[] a : ipv6(procfs.resolve("net").resolve("if_inet6"))) {
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
        List<NodeInterfaces.Interface> out = new ArrayList<>();
        for (String n : addresses.keySet()) {
            Path ifDir = classNet.resolve(n);
            boolean physical = Files.exists(ifDir.resolve("device"));
            out.add(new NodeInterfaces.Interface(n, physical, isUp(ifDir), new ArrayList<>(addresses.get(n)),
                    defaults.contains(n)));
        }
        return out;
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

    /** Rows of {@code /proc/net/route}; addresses converted to network order (big-endian int). */
    static List<Route> routes(Path file) throws IOException {
        List<Route> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            try {
                out.add(new Route(f[0], hostHex(f[1]), hostHex(f[7]), Integer.parseInt(f[3], 16)));
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
