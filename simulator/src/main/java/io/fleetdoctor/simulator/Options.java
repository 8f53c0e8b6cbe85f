package io.fleetdoctor.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of {@link SimulatedCluster}.
 *
 * @param dir          output directory: kubeconfig, ready, nodes/&lt;node&gt;/{proc,sys}
 * @param cluster      cluster id (also the kubeconfig context name)
 * @param nodes        number of nodes: master01, node01, node02, ...
 * @param restartEvery period of the control-plane restarts while the incident runs
 * @param port         API server port, 0 for a free one
 * @param watchStdin   exit when stdin reaches EOF (the parent process is gone)
 * @param flanneldMiBs flanneld read rate while the incident runs, in MiB/s
 * @param scenario     {@link #FLANNEL_IFACE} (the incident), {@link #FLANNEL_OOM} (flanneld OOM-killed) or
 *                     {@link #HEALTHY} (upstream flannel v0.28.9 bound with --iface=eth0: nothing to find)
 * @param bondedNode   the node whose InternalIP is on bond0 (over eth0 + eth1) and whose default route is on
 *                     the VLAN eth2.100, or null (every node has eth0 + eth1: the demo story)
 * @param helm         the flannel DaemonSet carries the labels and annotations Helm sets on a release's objects
 */
public record Options(Path dir, String cluster, int nodes, Duration restartEvery, int port, boolean watchStdin,
                      double flanneldMiBs, String scenario, String bondedNode, boolean helm) {
    public static final String FLANNEL_IFACE = "flannel-iface";
    public static final String FLANNEL_OOM = "flannel-oom";
    public static final String HEALTHY = "healthy";

    public static final String USAGE = String.join("\n",
            "usage: SimulatedCluster --dir DIR [--cluster demo-1] [--nodes 3] [--restart-every 20s] [--port P]",
            "                        [--flanneld-mibs 40] [--scenario flannel-iface|flannel-oom|healthy] [--bonded-node NODE]",
            "                        [--helm] [--watch-stdin]",
            "  --dir DIR             where kubeconfig, ready and nodes/<node>/{proc,sys} are written",
            "  --cluster ID          cluster id and kubeconfig context (default demo-1)",
            "  --nodes N             nodes master01, node01, ... (default 3, at least 1)",
            "  --restart-every D     a control-plane restart every D while the incident runs (default 20s)",
            "  --port P              API server port (default: a free one)",
            "  --flanneld-mibs R     flanneld read rate during the incident, MiB/s (default 40)",
            "  --scenario S          flannel-iface: the incident (default); flannel-oom: a bound, known-good flannel",
            "                        whose pod on node01 is OOM-killed every D until its memory limit is >= 100Mi;",
            "                        healthy: upstream flannel v0.28.9 bound with --iface=eth0, no incident",
            "  --bonded-node NODE    NODE has its InternalIP on bond0 (802.3ad over eth0 + eth1) and its default",
            "                        route on eth2.100 (VLAN 100 over eth2); the fix then needs bond0 there",
            "  --helm                the flannel DaemonSet is a Helm release's (app.kubernetes.io/managed-by: Helm,",
            "                        meta.helm.sh/release-name: flannel, meta.helm.sh/release-namespace)",
            "  --watch-stdin         exit when stdin closes (started by a parent process)");

    public Options(Path dir, String cluster, int nodes, Duration restartEvery, int port, boolean watchStdin,
                   double flanneldMiBs, String scenario, String bondedNode) {
        this(dir, cluster, nodes, restartEvery, port, watchStdin, flanneldMiBs, scenario, bondedNode, false);
    }

    public Options {
        if (nodes < 1 || nodes > 50) {
            throw new IllegalArgumentException("--nodes must be between 1 and 50");
        }
        if (restartEvery.isNegative() || restartEvery.isZero()) {
            throw new IllegalArgumentException("--restart-every must be positive");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535");
        }
        if (!FLANNEL_IFACE.equals(scenario) && !FLANNEL_OOM.equals(scenario) && !HEALTHY.equals(scenario)) {
            throw new IllegalArgumentException("--scenario must be flannel-iface, flannel-oom or healthy");
        }
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("--cluster must not be blank");
        }
        if (bondedNode != null && !nodeNames(nodes).contains(bondedNode)) {
            throw new IllegalArgumentException("--bonded-node must be one of " + nodeNames(nodes) + ", was " + bondedNode);
        }
    }

    public static Options defaults(Path dir) {
        return new Options(dir, "demo-1", 3, Duration.ofSeconds(20), 0, false, 40, FLANNEL_IFACE, null);
    }

    public Options withRestartEvery(Duration d) {
        return new Options(dir, cluster, nodes, d, port, watchStdin, flanneldMiBs, scenario, bondedNode, helm);
    }

    public Options withCluster(String c) {
        return new Options(dir, c, nodes, restartEvery, port, watchStdin, flanneldMiBs, scenario, bondedNode, helm);
    }

    public Options withBondedNode(String node) {
        return new Options(dir, cluster, nodes, restartEvery, port, watchStdin, flanneldMiBs, scenario, node, helm);
    }

    public static Options parse(String... args) {
        Path dir = null;
        String cluster = "demo-1";
        int nodes = 3;
        Duration every = Duration.ofSeconds(20);
        int port = 0;
        boolean watch = false;
        double mibs = 40;
        String scenario = FLANNEL_IFACE;
        String bonded = null;
        boolean helm = false;
        List<String> a = new ArrayList<>(List.of(args));
        for (int i = 0; i < a.size(); i++) {
            String opt = a.get(i);
            String value = null;
            int eq = opt.indexOf('=');
            if (opt.startsWith("--") && eq > 0) {
                value = opt.substring(eq + 1);
                opt = opt.substring(0, eq);
            }
            if (opt.equals("--watch-stdin")) {
                watch = true;
                continue;
            }
            if (opt.equals("--helm")) {
                helm = true;
                continue;
            }
            if (opt.equals("--help") || opt.equals("-h")) {
                throw new IllegalArgumentException("help");
            }
            if (value == null) {
                if (i + 1 >= a.size()) {
                    throw new IllegalArgumentException(opt + " needs a value");
                }
                value = a.get(++i);
            }
            switch (opt) {
                case "--dir":
                    dir = Path.of(value);
                    break;
                case "--cluster":
                    cluster = value;
                    break;
                case "--nodes":
                    nodes = parseInt(opt, value);
                    break;
                case "--restart-every":
                    every = duration(value);
                    break;
                case "--scenario":
                    scenario = value;
                    break;
                case "--bonded-node":
                    bonded = value;
                    break;
                case "--port":
                    port = parseInt(opt, value);
                    break;
                case "--flanneld-mibs":
                    try {
                        mibs = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--flanneld-mibs: not a number: " + value);
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--dir is required");
        }
        return new Options(dir.toAbsolutePath().normalize(), cluster, nodes, every, port, watch, mibs, scenario, bonded, helm);
    }

    private static int parseInt(String opt, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": not a number: " + v);
        }
    }

    /** {@code 500ms}, {@code 20s}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT20S}). */
    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: " + v + " (use e.g. 20s, 500ms, 2m)");
        }
    }

    /** Node names: master01, node01, node02, ... */
    public List<String> nodeNames() {
        return nodeNames(nodes);
    }

    private static List<String> nodeNames(int nodes) {
        List<String> out = new ArrayList<>();
        out.add("master01");
        for (int i = 1; i < nodes; i++) {
            out.add(String.format("node%02d", i));
        }
        return out;
    }
}
