package io.fleetdoctor.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One simulated node's {@code proc} and {@code sys} trees, in the layout the collector's node agent
 * reads ({@code ProcessIoSampler}, {@code InterfaceInventory}, {@code NodeAgent}):
 * <pre>
 * proc/&lt;pid&gt;/{comm,stat,io,cmdline}    systemd, dockerd, kubelet, flanneld (+ etcd on the first node)
 * proc/1/net/{route,fib_trie,if_inet6}     the node's network, as the agent reads it through PID 1
 * proc/sys/kernel/{osrelease,hostname}, proc/uptime
 * sys/class/net/&lt;if&gt; -&gt; ../../devices/{pci0000:00/0000:00:0N.0/net,virtual/net}/&lt;if&gt;
 *     with uevent, operstate, flags, address, mtu, type, ifindex, carrier; physical NICs also have device;
 *     masters and ports linked as the kernel links them (master, upper_*, lower_*, bonding/slaves, brif/)
 * </pre>
 * Interfaces: eth0 192.168.10.(11+i)/24 (the node's InternalIP), eth1 10.20.0.(11+i)/24 with the default
 * route (so unbound flannel picks eth1), lo, cni0 172.20.i.1/24 (a bridge with the veth as its port),
 * flannel.1 172.20.i.0/32 (vxlan), one veth. A bonded node ({@code --bonded-node}) has the same addresses
 * on other interfaces: the InternalIP on bond0 (802.3ad over eth0 + eth1), the default route on eth2.100
 * (VLAN 100 over eth2).
 * Files that change are replaced atomically (temp file + rename), so a reader never sees half a file.
 * Not thread-safe: one scenario thread owns it.
 */
public final class NodeTree {
    public static final String KERNEL = "3.10.0-1160.el7.x86_64";
    /** USER_HZ: /proc/&lt;pid&gt;/stat times are in clock ticks. */
    static final int HZ = 100;
    static final long MIB = 1024L * 1024L;

    /** A simulated process and its cumulative IO counters. */
    static final class Proc {
        final int pid;
        final String comm;
        final int ppid;
        final long startTicks;
        final String cmdline;
        double readRate;
        double writeRate;
        double rcharRate;
        double wcharRate;
        double readBytes;
        double writeBytes;
        double rchar;
        double wchar;
        double syscr;
        double syscw;

        Proc(int pid, String comm, int ppid, long startTicks, String cmdline) {
            this.pid = pid;
            this.comm = comm;
            this.ppid = ppid;
            this.startTicks = startTicks;
            this.cmdline = cmdline;
        }

        void rates(double read, double write, double rchar, double wchar) {
            this.readRate = read;
            this.writeRate = write;
            this.rcharRate = rchar;
            this.wcharRate = wchar;
        }
    }

    /**
     * @param devtype DEVTYPE of uevent (bond, vlan, bridge, vxlan), or null
     * @param master  the bond or bridge this interface is a port of, or null
     * @param lower   the interfaces under it (bond members, VLAN parent)
     */
    private record Iface(String name, int index, boolean physical, String operstate, String flags, String mac,
                         int mtu, int type, String address, int prefix, String devtype, String master,
                         List<String> lower) {
        Iface(String name, int index, boolean physical, String operstate, String flags, String mac, int mtu, int type,
              String address, int prefix) {
            this(name, index, physical, operstate, flags, mac, mtu, type, address, prefix, null, null, List.of());
        }

        Iface devtype(String t) {
            return new Iface(name, index, physical, operstate, flags, mac, mtu, type, address, prefix, t, master, lower);
        }

        Iface master(String m) {
            return new Iface(name, index, physical, operstate, flags, mac, mtu, type, address, prefix, devtype, m, lower);
        }

        Iface lower(String... l) {
            return new Iface(name, index, physical, operstate, flags, mac, mtu, type, address, prefix, devtype, master,
                    List.of(l));
        }
    }

    private final Path root;
    private final Path proc;
    private final Path sys;
    private final String node;
    private final int index;
    private final int nodeCount;
    private final long bootMillis;
    private final boolean bonded;
    private final Map<Integer, Proc> procs = new LinkedHashMap<>();
    private Proc flanneld;
    private int flanneldRestarts;
    private double incidentReadRate;

    /**
     * @param root       the node's directory, e.g. {@code DIR/nodes/master01}
     * @param index      0 for master01, 1 for node01, ...
     * @param bootMillis wall-clock boot time of the simulated node
     */
    public NodeTree(Path root, String node, int index, int nodeCount, long bootMillis) {
        this(root, node, index, nodeCount, bootMillis, false);
    }

    /** @param bonded InternalIP on bond0 over eth0 + eth1, default route on the VLAN eth2.100 */
    public NodeTree(Path root, String node, int index, int nodeCount, long bootMillis, boolean bonded) {
        this.root = root;
        this.proc = root.resolve("proc");
        this.sys = root.resolve("sys");
        this.node = node;
        this.index = index;
        this.nodeCount = nodeCount;
        this.bootMillis = bootMillis;
        this.bonded = bonded;
    }

    public boolean bonded() {
        return bonded;
    }

    /** The interface carrying the InternalIP ({@link #eth0Address}): eth0, or bond0 on a bonded node. */
    public String internalIface() {
        return bonded ? "bond0" : "eth0";
    }

    /** The interface of the default route ({@link #eth1Address}): eth1, or eth2.100 on a bonded node. */
    public String defaultIface() {
        return bonded ? "eth2.100" : "eth1";
    }

    /** Interface name to IPv4 address (no prefix) for every interface that has one, as flanneld sees them. */
    public Map<String, String> ipv4ByInterface() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Iface i : interfaces()) {
            if (i.address() != null) {
                m.put(i.name(), i.address());
            }
        }
        return m;
    }

    public Path procfs() {
        return proc;
    }

    public Path sysfs() {
        return sys;
    }

    public String node() {
        return node;
    }

    public String eth0Address() {
        return "192.168.10." + (11 + index);
    }

    public String eth1Address() {
        return "10.20.0." + (11 + index);
    }

    public String podCidr() {
        return "172.20." + index + ".0/24";
    }

    public int flanneldPid() {
        return flanneld.pid;
    }

    /** Writes the whole tree (removing an old one) with flanneld in the incident state. */
    public void create(double incidentMiBs, long nowMillis) throws IOException {
        deleteRecursively(root);
        Files.createDirectories(proc);
        Files.createDirectories(sys);
        this.incidentReadRate = incidentMiBs * MIB;
        long base = 300; // seconds after boot the node's services came up
        procs.clear();
        add(new Proc(1, "systemd", 0, 1, "/usr/lib/systemd/systemd\0--switched-root\0--system\0--deserialize\022\0"))
                .rates(200, 2_000, 4_000, 2_000);
        add(new Proc(987 + index, "dockerd", 1, (base - 20) * HZ, "/usr/bin/dockerd\0-H\0fd://\0"))
                .rates(1_000, 60_000, 40_000, 70_000);
        add(new Proc(1187 + index, "kubelet", 1, base * HZ, "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0"))
                .rates(2_048, 48_000, 120_000, 50_000);
        if (index == 0) {
            add(new Proc(1532, "etcd", 1490, (base + 30) * HZ, "etcd\0--data-dir=/var/lib/etcd\0"))
                    .rates(0, 900_000, 300_000, 950_000);
        }
        flanneldRestarts = 0;
        flanneld = add(new Proc(2231 + index, "flanneld", 2190 + index, (base + 90) * HZ,
                flanneldCmdline(List.of("--ip-masq", "--kube-subnet-mgr"))));
        setFlanneldIncident(true);

        Path sysKernel = proc.resolve("sys").resolve("kernel");
        Files.createDirectories(sysKernel);
        write(sysKernel.resolve("osrelease"), KERNEL + "\n");
        write(sysKernel.resolve("hostname"), node + "\n");
        writeNet();
        writeSysfs();
        for (Proc p : procs.values()) {
            writeProc(p);
        }
        tick(0, nowMillis);
    }

    private Proc add(Proc p) {
        procs.put(p.pid, p);
        return p;
    }

    private static String flanneldCmdline(List<String> args) {
        StringBuilder sb = new StringBuilder("/opt/bin/flanneld\0");
        for (String a : args) {
            sb.append(a).append('\0');
        }
        return sb.toString();
    }

    /**
     * Incident: ~{@code --flanneld-mibs} MiB/s of {@code read_bytes} (page-cache thrashing: far above
     * {@code rchar}); otherwise a few KiB/s.
     */
    public void setFlanneldIncident(boolean incident) {
        if (incident) {
            flanneld.rates(incidentReadRate, 96 * 1024, 160 * 1024, 24 * 1024);
        } else {
            flanneld.rates(4 * 1024, 2 * 1024, 12 * 1024, 3 * 1024);
        }
    }

    public boolean flanneldIncident() {
        return flanneld.readRate > 1 * MIB;
    }

    /** A rollout replaced the flannel pod: flanneld is a new process (new pid, new start time, zero counters). */
    public void restartFlanneld(List<String> args, boolean incident, long nowMillis) throws IOException {
        Proc old = flanneld;
        flanneldRestarts++;
        long ticks = Math.max(old.startTicks + 1, (nowMillis - bootMillis) / 1000 * HZ);
        flanneld = new Proc(2231 + index + 1000 * flanneldRestarts, "flanneld", old.ppid + 1000, ticks,
                flanneldCmdline(args));
        setFlanneldIncident(incident);
        procs.remove(old.pid);
        procs.put(flanneld.pid, flanneld);
        // build the new /proc/<pid> under a temp name and rename it, then drop the old one
        Path tmp = proc.resolve(".new-" + flanneld.pid);
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        writeProcFiles(tmp, flanneld);
        Files.move(tmp, proc.resolve(String.valueOf(flanneld.pid)), StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(proc.resolve(String.valueOf(old.pid)));
    }

    /** Advances every counter by {@code seconds} at its current rate and rewrites the io files. */
    public void tick(double seconds, long nowMillis) throws IOException {
        for (Proc p : procs.values()) {
            p.readBytes += p.readRate * seconds;
            p.writeBytes += p.writeRate * seconds;
            p.rchar += p.rcharRate * seconds;
            p.wchar += p.wcharRate * seconds;
            p.syscr += p.rcharRate / 4096.0 * seconds;
            p.syscw += p.wcharRate / 4096.0 * seconds;
            writeAtomically(proc.resolve(String.valueOf(p.pid)).resolve("io"), io(p));
        }
        double up = (nowMillis - bootMillis) / 1000.0;
        writeAtomically(proc.resolve("uptime"), String.format(java.util.Locale.ROOT, "%.2f %.2f%n", up, up * 1.7));
    }

    static String io(Proc p) {
        return "rchar: " + (long) p.rchar + "\n"
                + "wchar: " + (long) p.wchar + "\n"
                + "syscr: " + (long) p.syscr + "\n"
                + "syscw: " + (long) p.syscw + "\n"
                + "read_bytes: " + (long) p.readBytes + "\n"
                + "write_bytes: " + (long) p.writeBytes + "\n"
                + "cancelled_write_bytes: 0\n";
    }

    private void writeProc(Proc p) throws IOException {
        Path dir = proc.resolve(String.valueOf(p.pid));
        Files.createDirectories(dir);
        writeProcFiles(dir, p);
    }

    private static void writeProcFiles(Path dir, Proc p) throws IOException {
        write(dir.resolve("comm"), p.comm + "\n");
        write(dir.resolve("stat"), stat(p));
        write(dir.resolve("cmdline"), p.cmdline);
        write(dir.resolve("io"), io(p));
    }

    /** 52 fields like a 3.10 kernel; field 22 is the start time in clock ticks after boot. */
    static String stat(Proc p) {
        List<String> f = new ArrayList<>();
        f.add(String.valueOf(p.pid));
        f.add("(" + p.comm + ")");
        f.add("S");
        f.add(String.valueOf(p.ppid)); // 4 ppid
        f.add(String.valueOf(p.pid)); // 5 pgrp
        f.add(String.valueOf(p.pid)); // 6 session
        f.add("0"); // 7 tty_nr
        f.add("-1"); // 8 tpgid
        f.add("4202752"); // 9 flags
        f.add("12034"); // 10 minflt
        f.add("0"); // 11 cminflt
        f.add("3"); // 12 majflt
        f.add("0"); // 13 cmajflt
        f.add("1520"); // 14 utime
        f.add("874"); // 15 stime
        f.add("0"); // 16 cutime
        f.add("0"); // 17 cstime
        f.add("20"); // 18 priority
        f.add("0"); // 19 nice
        f.add("12"); // 20 num_threads
        f.add("0"); // 21 itrealvalue
        f.add(String.valueOf(p.startTicks)); // 22 starttime
        f.add("748392448"); // 23 vsize
        f.add("9843"); // 24 rss
        f.add("18446744073709551615"); // 25 rsslim
        while (f.size() < 52) {
            f.add("0");
        }
        return String.join(" ", f) + "\n";
    }

    // ------------------------------------------------------------------ network

    private List<Iface> interfaces() {
        String h = String.format("%02x", 0x10 + index);
        String veth = "veth" + Integer.toHexString(0x3f2a9c10 + index * 0x1111);
        List<Iface> out = new ArrayList<>();
        out.add(new Iface("lo", 1, false, "unknown", "0x9", "00:00:00:00:00:00", 65536, 772, "127.0.0.1", 8));
        int n = 2;
        if (bonded) {
            // a bond takes its first member's MAC, a VLAN its parent's; ports carry no address (IFF_SLAVE 0x800)
            String bondMac = "52:54:00:0a:" + h + ":01";
            String eth2Mac = "52:54:00:14:" + h + ":03";
            out.add(new Iface("eth0", n++, true, "up", "0x1803", bondMac, 1500, 1, null, 0).master("bond0"));
            out.add(new Iface("eth1", n++, true, "up", "0x1803", bondMac, 1500, 1, null, 0).master("bond0"));
            out.add(new Iface("eth2", n++, true, "up", "0x1003", eth2Mac, 1500, 1, null, 0));
            out.add(new Iface("bond0", n++, false, "up", "0x1403", bondMac, 1500, 1, eth0Address(), 24)
                    .devtype("bond").lower("eth0", "eth1"));
            out.add(new Iface("eth2.100", n++, false, "up", "0x1003", eth2Mac, 1500, 1, eth1Address(), 24)
                    .devtype("vlan").lower("eth2"));
        } else {
            out.add(new Iface("eth0", n++, true, "up", "0x1003", "52:54:00:0a:" + h + ":01", 1500, 1, eth0Address(), 24));
            out.add(new Iface("eth1", n++, true, "up", "0x1003", "52:54:00:14:" + h + ":02", 1500, 1, eth1Address(), 24));
        }
        out.add(new Iface("flannel.1", n++, false, "unknown", "0x1043", "6a:3c:1e:" + h + ":9d:20", 1450, 1,
                "172.20." + index + ".0", 32).devtype("vxlan"));
        out.add(new Iface("cni0", n++, false, "up", "0x1003", "2e:71:0b:" + h + ":44:10", 1450, 1,
                "172.20." + index + ".1", 24).devtype("bridge"));
        out.add(new Iface(veth, n, false, "up", "0x1003", "b2:4d:5e:" + h + ":01:7a", 1450, 1, null, 0).master("cni0"));
        return out;
    }

    private void writeSysfs() throws IOException {
        Path classNet = sys.resolve("class").resolve("net");
        Files.createDirectories(classNet);
        int slot = 3;
        Map<String, Path> devs = new LinkedHashMap<>();
        for (Iface i : interfaces()) {
            Path dev;
            if (i.physical()) {
                Path pci = sys.resolve("devices").resolve("pci0000:00").resolve("0000:00:0" + slot++ + ".0");
                dev = pci.resolve("net").resolve(i.name());
                Files.createDirectories(dev);
                write(pci.resolve("vendor"), "0x1af4\n");
                write(pci.resolve("device"), "0x1000\n");
                Files.createSymbolicLink(dev.resolve("device"), dev.relativize(pci));
            } else {
                dev = sys.resolve("devices").resolve("virtual").resolve("net").resolve(i.name());
                Files.createDirectories(dev);
            }
            devs.put(i.name(), dev);
            write(dev.resolve("uevent"), (i.devtype() == null ? "" : "DEVTYPE=" + i.devtype() + "\n")
                    + "INTERFACE=" + i.name() + "\nIFINDEX=" + i.index() + "\n");
            write(dev.resolve("operstate"), i.operstate() + "\n");
            write(dev.resolve("flags"), i.flags() + "\n");
            write(dev.resolve("address"), i.mac() + "\n");
            write(dev.resolve("mtu"), i.mtu() + "\n");
            write(dev.resolve("type"), i.type() + "\n");
            write(dev.resolve("ifindex"), i.index() + "\n");
            write(dev.resolve("carrier"), ("down".equals(i.operstate()) ? "0" : "1") + "\n");
            Files.createSymbolicLink(classNet.resolve(i.name()), classNet.relativize(dev));
        }
        // the links between masters and ports, as net/core/dev.c, bonding and the bridge make them
        for (Iface i : interfaces()) {
            Path dev = devs.get(i.name());
            if (i.master() != null) {
                Path master = devs.get(i.master());
                Files.createSymbolicLink(dev.resolve("master"), dev.relativize(master));
                Files.createSymbolicLink(dev.resolve("upper_" + i.master()), dev.relativize(master));
                Files.createSymbolicLink(master.resolve("lower_" + i.name()), master.relativize(dev));
                if ("bridge".equals(devtypeOf(i.master()))) {
                    Files.createDirectories(dev.resolve("brport"));
                    Files.createDirectories(master.resolve("brif"));
                    Files.createSymbolicLink(master.resolve("brif").resolve(i.name()),
                            master.resolve("brif").relativize(dev.resolve("brport")));
                }
            }
            if ("vlan".equals(i.devtype())) {
                for (String parent : i.lower()) {
                    Path p = devs.get(parent);
                    Files.createSymbolicLink(dev.resolve("lower_" + parent), dev.relativize(p));
                    Files.createSymbolicLink(p.resolve("upper_" + i.name()), p.relativize(dev));
                }
            }
            if ("bond".equals(i.devtype())) {
                Files.createDirectories(dev.resolve("bonding"));
                write(dev.resolve("bonding").resolve("slaves"), String.join(" ", i.lower()) + "\n");
                write(dev.resolve("bonding").resolve("mode"), "802.3ad 4\n");
            }
            if ("bridge".equals(i.devtype())) {
                Files.createDirectories(dev.resolve("bridge"));
                Files.createDirectories(dev.resolve("brif"));
            }
        }
        if (bonded) {
            write(classNet.resolve("bonding_masters"), "bond0\n");
        }
    }

    private String devtypeOf(String name) {
        return interfaces().stream().filter(i -> i.name().equals(name)).map(Iface::devtype).findFirst().orElse(null);
    }

    /** The node's network namespace as its PID 1 (systemd) sees it: where the agent reads it with hostPID. */
    private void writeNet() throws IOException {
        Path net = proc.resolve("1").resolve("net");
        Files.createDirectories(net);
        StringBuilder route = new StringBuilder(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT           \n");
        route(route, defaultIface(), "0.0.0.0", "10.20.0.1", 0x3, 100, "0.0.0.0");
        route(route, defaultIface(), "10.20.0.0", "0.0.0.0", 0x1, 100, "255.255.255.0");
        route(route, internalIface(), "192.168.10.0", "0.0.0.0", 0x1, 101, "255.255.255.0");
        for (int n = 0; n < nodeCount; n++) {
            if (n == index) {
                route(route, "cni0", "172.20." + n + ".0", "0.0.0.0", 0x1, 0, "255.255.255.0");
            } else {
                route(route, "flannel.1", "172.20." + n + ".0", "172.20." + n + ".0", 0x3, 0, "255.255.255.0");
            }
        }
        write(net.resolve("route"), route.toString());
        write(net.resolve("fib_trie"), fibTrie());
        StringBuilder inet6 = new StringBuilder("00000000000000000000000000000001 01 80 10 80       lo\n");
        for (Iface i : interfaces()) {
            if (i.address() != null && (i.name().equals(internalIface()) || i.name().equals(defaultIface()))) {
                // the EUI-64 link-local address from the MAC, as the kernel makes it
                String[] m = i.mac().split(":");
                String eui = String.format("%02x", Integer.parseInt(m[0], 16) ^ 0x02) + m[1] + m[2] + "fffe" + m[3]
                        + m[4] + m[5];
                inet6.append("fe80000000000000").append(eui).append(' ').append(String.format("%02x", i.index()))
                        .append(" 40 20 80 ").append(String.format("%8s", i.name())).append('\n');
            }
        }
        write(net.resolve("if_inet6"), inet6.toString());
    }

    private static void route(StringBuilder sb, String iface, String dest, String gw, int flags, int metric,
                              String mask) {
        sb.append(iface).append('\t').append(hex(dest)).append('\t').append(hex(gw)).append('\t')
                .append(String.format("%04X", flags)).append("\t0\t0\t").append(metric).append('\t')
                .append(hex(mask)).append("\t0\t0\t0                                                                               \n");
    }

    /** /proc/net/route prints the network-order bytes as a little-endian (x86) host integer. */
    static String hex(String ip) {
        return String.format("%08X", Integer.reverseBytes(ipv4(ip)));
    }

    static int ipv4(String ip) {
        String[] p = ip.split("\\.");
        int v = 0;
        for (String o : p) {
            v = (v << 8) | Integer.parseInt(o);
        }
        return v;
    }

    static String ip(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    private String fibTrie() {
        StringBuilder t = new StringBuilder();
        for (String table : List.of("Main", "Local")) {
            t.append(table).append(":\n");
            t.append("  +-- 0.0.0.0/0 3 0 5\n");
            if ("Main".equals(table)) {
                t.append("     |-- 0.0.0.0\n        /0 universe UNICAST\n");
            }
            subnet(t, "10.20.0.0", 24, List.of(eth1Address()));
            subnet(t, "127.0.0.0", 8, List.of("127.0.0.1"));
            // flannel.1 holds 172.20.i.0/32, cni0 172.20.i.1/24
            subnet(t, "172.20." + index + ".0", 24, List.of("172.20." + index + ".0", "172.20." + index + ".1"));
            subnet(t, "192.168.10.0", 24, List.of(eth0Address()));
        }
        return t.toString();
    }

    private static void subnet(StringBuilder t, String net, int prefix, List<String> local) {
        int n = ipv4(net);
        int bcast = n | (int) ((1L << (32 - prefix)) - 1);
        t.append("     +-- ").append(net).append('/').append(prefix).append(" 2 0 2\n");
        if (!local.contains(net)) {
            t.append("        |-- ").append(net).append("\n           /").append(prefix).append(" link UNICAST\n");
        }
        for (String ip : local) {
            t.append("        |-- ").append(ip).append("\n           /32 host LOCAL\n");
            if (ip.equals(net)) {
                t.append("           /").append(prefix).append(" link UNICAST\n");
            }
        }
        t.append("        |-- ").append(ip(bcast)).append("\n           /32 link BROADCAST\n");
    }

    // ------------------------------------------------------------------ files

    static void write(Path p, String content) throws IOException {
        Files.write(p, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Temp file in the same directory, then an atomic rename over the target. */
    static void writeAtomically(Path p, String content) throws IOException {
        Path tmp = p.resolveSibling("." + p.getFileName() + ".tmp");
        Files.write(tmp, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        }
    }
}
