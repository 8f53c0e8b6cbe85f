package io.fleetdoctor.simulator;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Reads a node tree the way the collector's node agent does (ProcessIoSampler, InterfaceInventory),
 * without depending on the collector module: the same files, the same parsing rules.
 */
final class NodeFiles {
    private NodeFiles() {
    }

    record Inventory(List<String> names, List<String> physical, List<String> up, List<String> defaultRoute,
                     Map<String, String> ipv4) {
    }

    private record Route(String iface, int dest, int mask, int flags) {
    }

    static Inventory inventory(Path proc, Path sys) throws IOException {
        Path classNet = sys.resolve("class/net");
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(classNet)) {
            for (Path p : d) {
                names.add(p.getFileName().toString());
            }
        }
        Collections.sort(names);
        List<String> physical = new ArrayList<>();
        List<String> up = new ArrayList<>();
        for (String n : names) {
            Path ifDir = classNet.resolve(n);
            if (Files.exists(ifDir.resolve("device"))) {
                physical.add(n);
            }
            String state = Files.readString(ifDir.resolve("operstate")).trim();
            String flags = Files.readString(ifDir.resolve("flags")).trim();
            if (state.equals("up") || (state.equals("unknown") && (Long.parseLong(flags.substring(2), 16) & 1) != 0)) {
                up.add(n);
            }
        }
        List<Route> routes = new ArrayList<>();
        List<String> lines = Files.readAllLines(proc.resolve("1/net/route"));
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            routes.add(new Route(f[0], host(f[1]), host(f[7]), Integer.parseInt(f[3], 16)));
        }
        List<String> defaults = new ArrayList<>();
        for (Route r : routes) {
            if (r.dest == 0 && r.mask == 0 && (r.flags & 1) != 0) {
                defaults.add(r.iface);
            }
        }
        Map<String, String> ipv4 = new TreeMap<>();
        String leaf = null;
        for (String raw : Files.readAllLines(proc.resolve("1/net/fib_trie"))) {
            String line = raw.trim();
            if (line.startsWith("|-- ")) {
                leaf = line.substring(4).trim();
            } else if (line.startsWith("+-- ")) {
                leaf = null;
            } else if (line.startsWith("/32 host LOCAL") && leaf != null) {
                int ip = NodeTree.ipv4(leaf);
                Route best = null;
                for (Route r : routes) {
                    if ((r.flags & 2) != 0 || r.mask == 0 || (ip == r.dest && Integer.bitCount(r.mask) < 31)) {
                        continue;
                    }
                    if ((ip & r.mask) == r.dest && (best == null || Integer.bitCount(r.mask) > Integer.bitCount(best.mask))) {
                        best = r;
                    }
                }
                if (best != null) {
                    ipv4.put(best.iface, leaf + "/" + Integer.bitCount(best.mask));
                } else if ((ip >>> 24) == 127) {
                    ipv4.put("lo", leaf + "/8");
                }
            }
        }
        return new Inventory(names, physical, up, defaults, ipv4);
    }

    private static int host(String hex) {
        int v = (int) Long.parseLong(hex, 16);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    /** The pid whose stat names {@code comm}, or -1. */
    static int pidOf(Path proc, String comm) throws IOException {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(proc)) {
            for (Path p : d) {
                String name = p.getFileName().toString();
                if (!name.matches("\\d+")) {
                    continue;
                }
                if (comm.equals(comm(Files.readString(p.resolve("stat"))))) {
                    return Integer.parseInt(name);
                }
            }
        }
        return -1;
    }

    static String comm(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** Field 22 of stat. */
    static long startTime(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(rest[22 - 3]);
    }

    static long readBytes(Path proc, int pid) {
        try {
            for (String l : Files.readAllLines(proc.resolve(pid + "/io"))) {
                if (l.startsWith("read_bytes:")) {
                    return Long.parseLong(l.substring("read_bytes:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no read_bytes");
    }

    /** read_bytes per second over two of the simulator's one-second updates, observed right after each. */
    static double readRate(Path proc, int pid) {
        long first = readBytes(proc, pid);
        Duration poll = Duration.ofMillis(20);
        await().pollInterval(poll).atMost(Duration.ofSeconds(5)).until(() -> readBytes(proc, pid) != first);
        long b0 = readBytes(proc, pid);
        long t0 = System.nanoTime();
        AtomicLong mid = new AtomicLong();
        await().pollInterval(poll).atMost(Duration.ofSeconds(5)).until(() -> readBytes(proc, pid) != b0);
        mid.set(readBytes(proc, pid));
        await().pollInterval(poll).atMost(Duration.ofSeconds(5)).until(() -> readBytes(proc, pid) != mid.get());
        long b1 = readBytes(proc, pid);
        long t1 = System.nanoTime();
        return (b1 - b0) / ((t1 - t0) / 1e9);
    }
}
