package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.config.ConfigCheck;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code node-sample}: runs the node agent's sampling in the foreground and prints its signals as
 * CloudEvents JSON lines on stdout instead of sending them to Kafka. Plain Java (no Quarkus start-up),
 * so it runs from the built jar's class path:
 * <pre>java -cp 'collector-service/target/quarkus-app/app/*:collector-service/target/quarkus-app/lib/main/*' \
 *   io.fleetdoctor.collector.node.NodeSampleMain --count 3 --interval 2</pre>
 */
public final class NodeSampleMain {

    static final String USAGE = String.join("\n",
            "usage: node-sample [--procfs DIR] [--sysfs DIR] [--interval SECONDS] [--count N]",
            "                   [--cluster ID] [--node NAME] [--host-ip IP] [--top N] [--watch a,b] [--stats]",
            "  --procfs DIR        procfs root (default /proc)",
            "  --sysfs DIR         sysfs root (default /sys)",
            "  --interval SECONDS  time between samples, fractions allowed (default 10)",
            "  --count N           number of process-io samples to print, then exit (default 1)",
            "  --cluster ID        cluster id (default $FLEETDOCTOR_CLUSTER or 'local')",
            "  --node NAME         node name (default $NODE_NAME, else the host name)",
            "  --host-ip IP        node InternalIP (default $HOST_IP)",
            "  --top N             top N processes by IO (default 10)",
            "  --watch a,b         process names always reported (default flanneld)",
            "  --stats             print the sampler's CPU time and resident memory to stderr at the end",
            "Prints one CloudEvent JSON per line: node-interfaces and a heartbeat at start, then one",
            "process-io per interval (the first interval only takes the baseline).");

    /** Parsed options. */
    record Options(Path procfs, Path sysfs, Duration interval, int count, String cluster, String node,
                   String hostIp, int top, Set<String> watch, boolean stats) {
    }

    private NodeSampleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code (0 ok, 2 bad usage or configuration). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("node-sample: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o == null) {
            out.println(USAGE);
            return 0;
        }
        List<String> errors = new ArrayList<>(ConfigCheck.clusterId(o.cluster()));
        errors.addAll(ConfigCheck.node(o.node(), o.procfs(), o.sysfs()));
        if (!errors.isEmpty()) {
            errors.forEach(m -> err.println("node-sample: " + m.replace("fleetdoctor.collector.cluster-id", "--cluster")
                    .replace("fleetdoctor.collector.node-name", "--node").replace("fleetdoctor.collector.", "--")));
            return 2;
        }
        NodeAgent agent = new NodeAgent(new NodeAgentSettings(o.cluster(), o.node(), o.hostIp(), o.procfs(),
                o.sysfs(), o.watch(), o.top(), NodeAgentSettings.DEFAULT_INVENTORY_EVERY,
                NodeAgentSettings.DEFAULT_HEARTBEAT_EVERY), message -> err.println("node-sample: " + message));
        long cpuBefore = threadCpuNanos();
        long wallBefore = System.nanoTime();
        long samplingCpu = 0;
        long intervalNanos = o.interval().toNanos();
        long next = System.nanoTime();
        int ioSamples = 0;
        int ticks = 0;
        while (ioSamples < o.count()) {
            long t0 = threadCpuNanos();
            List<CloudEvent<?>> events = agent.tick(Instant.now(), System.nanoTime());
            samplingCpu += threadCpuNanos() - t0;
            ticks++;
            for (CloudEvent<?> e : events) {
                out.println(EventCodec.encodeToString(e));
                if (e.type() == io.fleetdoctor.events.EventType.PROCESS_IO) {
                    ioSamples++;
                }
            }
            out.flush();
            if (ioSamples >= o.count()) {
                break;
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        if (o.stats()) {
            ProcessIoSampler.Stats s = agent.lastStats();
            long processCpu = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                    .getProcessCpuTime();
            err.printf("node-sample stats: ticks=%d processes=%d vanished=%d permissionDenied=%d "
                            + "samplingCpuMs=%.1f samplingCpuMsPerTick=%.2f mainThreadCpuMs=%.1f processCpuMs=%.1f "
                            + "wallMs=%.0f %s%n",
                    ticks, s.processes(), s.vanished(), s.permissionDenied(), samplingCpu / 1e6,
                    samplingCpu / 1e6 / ticks, (threadCpuNanos() - cpuBefore) / 1e6, processCpu / 1e6,
                    (System.nanoTime() - wallBefore) / 1e6, memory());
        }
        return 0;
    }

    static Options parse(String[] args) {
        Path procfs = Path.of("/proc");
        Path sysfs = Path.of("/sys");
        Duration interval = NodeAgentSettings.DEFAULT_INTERVAL;
        int count = 1;
        String cluster = envOr("FLEETDOCTOR_CLUSTER", "local");
        String node = envOr("NODE_NAME", null);
        String hostIp = envOr("HOST_IP", null);
        int top = NodeAgentSettings.DEFAULT_TOP_N;
        Set<String> watch = NodeAgentSettings.DEFAULT_WATCH_LIST;
        boolean stats = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h":
                case "--help":
                    return null;
                case "--stats":
                    stats = true;
                    continue;
                default:
                    break;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                value = args[++i];
            }
            switch (a) {
                case "--procfs":
                    procfs = Path.of(value);
                    break;
                case "--sysfs":
                    sysfs = Path.of(value);
                    break;
                case "--interval":
                    double secs;
                    try {
                        secs = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--interval must be a number of seconds, was '" + value + "'");
                    }
                    if (!(secs > 0) || secs > 86400) {
                        throw new IllegalArgumentException("--interval must be > 0 seconds, was '" + value + "'");
                    }
                    interval = Duration.ofNanos((long) (secs * 1e9));
                    break;
                case "--count":
                    count = positive(a, value);
                    break;
                case "--top":
                    top = positive(a, value);
                    break;
                case "--cluster":
                    cluster = value;
                    break;
                case "--node":
                    node = value;
                    break;
                case "--host-ip":
                    hostIp = value;
                    break;
                case "--watch":
                    watch = new LinkedHashSet<>(Arrays.asList(value.split(",")));
                    watch.remove("");
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (node == null || node.isBlank()) {
            node = NodeAgentSettings.hostName(procfs);
        }
        return new Options(procfs, sysfs, interval, count, cluster, node, hostIp, top, watch, stats);
    }

    private static int positive(String name, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(name + " must be a positive integer, was '" + value + "'");
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static long threadCpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static String memory() {
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                    String[] f = line.split("\\s+");
                    sb.append(f[0].replace(":", "")).append("KiB=").append(f[1]).append(' ');
                }
            }
            Runtime rt = Runtime.getRuntime();
            sb.append("heapUsedKiB=").append((rt.totalMemory() - rt.freeMemory()) / 1024);
            return sb.toString();
        } catch (IOException e) {
            return "memory=unknown";
        }
    }
}
