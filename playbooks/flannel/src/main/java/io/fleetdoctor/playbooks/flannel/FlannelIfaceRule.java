package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.playbook.ClusterView;
import io.fleetdoctor.playbook.Finding;
import io.fleetdoctor.playbook.Rule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * flannel-iface (docs/DESIGN.md): control-plane churn + a flanneld IO spike, then two independent
 * findings: flannel runs a known-bad version (pin the known-good one), and flannel uses, or unbound will
 * use, another interface than the node's cluster address on multi-NIC nodes ({@code --iface}). What
 * flanneld logged at start beats what its spec implies; a binding the spec cannot show (env from a
 * ConfigMap) is unknown, never unbound. Cheap conditions are checked first, so the common case (a
 * healthy cluster) costs a look at a few restart observations.
 */
public final class FlannelIfaceRule implements Rule {
    public static final String ID = "flannel-iface";

    private static final List<String> LEADER_ELECTION = List.of("leaderelection lost", "failed to renew lease",
            "Failed to update lock", "context deadline exceeded", "etcdserver: request timed out");
    private static final List<String> UNRELATED = List.of("unknown flag", "flag provided but not defined",
            "invalid argument", "OOMKilled", "out of memory", "no such file or directory");
    private static final int MAX_LOG_FACTS = 6;

    private final Function<String, FlannelSettings> settings;

    /** @param settings per-cluster settings (global defaults with the cluster's overrides) */
    public FlannelIfaceRule(Function<String, FlannelSettings> settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Duration resolveAfter(String cluster) {
        return settings.apply(cluster).resolveAfter();
    }

    @Override
    public Finding evaluate(ClusterView view, Instant now) {
        FlannelSettings s = settings.apply(view.cluster());
        Instant from = now.minus(s.window());
        if (view.flannelConfigs().isEmpty()) {
            return Finding.quiet(ID, "no flannel DaemonSet seen");
        }

        // 1. control-plane churn: increases, never cumulative counts
        List<ClusterView.RestartIncrease> churn = new ArrayList<>();
        int restarts = 0;
        for (ClusterView.RestartIncrease r : view.restartIncreases(from, now)) {
            if (s.churnComponents().contains(r.component()) || s.churnComponents().contains(r.container())) {
                churn.add(r);
                restarts += r.increase();
            }
        }
        if (restarts < s.minRestarts()) {
            return Finding.quiet(ID, restarts + " control-plane restarts in window, need " + s.minRestarts());
        }

        // 2. flanneld IO spike on at least one node
        Map<String, List<ClusterView.IoSample>> spiking = new TreeMap<>();
        for (String node : view.nodes()) {
            List<ClusterView.IoSample> spikes = new ArrayList<>();
            for (ClusterView.IoSample io : view.ioSpikes(node, from, now)) {
                if (io.process().equals(s.ioProcess()) && io.bytesPerSec() >= s.ioBytesPerSec()) {
                    spikes.add(io); // the window may keep lower spikes for another playbook
                }
            }
            if (spikes.size() >= s.minIoSamples()) {
                spiking.put(node, spikes);
            }
        }
        if (spiking.isEmpty()) {
            return Finding.quiet(ID, "no " + s.ioProcess() + " IO spike");
        }

        // 3. two independent findings: a known-bad version, and a missing or wrong interface binding
        Net net = network(view);
        Map<String, List<NodeInterfaces.Interface>> multiNic = multiNic(view, s, spiking.keySet());
        List<ClusterView.Config> bad = new ArrayList<>();
        for (ClusterView.Config c : view.flannelConfigs()) {
            if (s.knownBadVersions().contains(ImageRef.tag(c.config().image()))) {
                bad.add(c);
            }
        }
        Binding binding = binding(view, net, multiNic);
        if (bad.isEmpty() && !binding.problem()) {
            return Finding.quiet(ID, binding.why());
        }
        return firing(view, s, from, now, bad, binding, net, churn, restarts, spiking, multiNic);
    }

    /** Interfaces, cluster interfaces and flanneld's choices of every node. */
    private record Net(Map<String, NodeInterfaces> inventories, Map<String, String> clusterIface,
                       Map<String, FlannelLog.Choice> choices, List<Decision.Evidence> notes) {
    }

    private static Net network(ClusterView view) {
        Map<String, NodeInterfaces> inventories = new TreeMap<>();
        Map<String, String> signalOf = new TreeMap<>();
        Map<String, FlannelLog.Choice> choices = new TreeMap<>();
        for (String node : view.nodes()) {
            ClusterView.Inventory inv = view.inventory(node);
            if (inv != null) {
                inventories.put(node, inv.interfaces());
                signalOf.put(node, inv.signalId());
            }
            FlannelLog.Choice c = FlannelLog.choice(node, view.startupLines(node));
            if (c != null) {
                choices.put(node, c);
            }
        }
        List<Decision.Evidence> notes = new ArrayList<>();
        Map<String, String> clusterIface = NodeNetwork.clusterInterfaces(inventories, (nodes, text) -> {
            String first = nodes.iterator().next();
            notes.add(new Decision.Evidence(signalOf.get(first), "node-interfaces", first, text));
        });
        return new Net(inventories, clusterIface, choices, notes);
    }

    /** Nodes with several uplinks: the spiking ones, or any when a spiking node has no inventory. */
    private static Map<String, List<NodeInterfaces.Interface>> multiNic(ClusterView view, FlannelSettings s,
                                                                       Collection<String> spiking) {
        Map<String, List<NodeInterfaces.Interface>> out = new TreeMap<>();
        boolean spikingWithoutInventory = false;
        for (String node : spiking) {
            ClusterView.Inventory inv = view.inventory(node);
            if (inv == null) {
                spikingWithoutInventory = true;
            } else if (NodeNetwork.uplinks(inv.interfaces()).size() >= s.minNics()) {
                out.put(node, NodeNetwork.uplinks(inv.interfaces()));
            }
        }
        if (out.isEmpty() && spikingWithoutInventory) {
            for (String node : view.nodes()) {
                ClusterView.Inventory inv = view.inventory(node);
                if (inv != null && NodeNetwork.uplinks(inv.interfaces()).size() >= s.minNics()) {
                    out.put(node, NodeNetwork.uplinks(inv.interfaces()));
                }
            }
        }
        return out;
    }

    /**
     * @param problem flannel uses (or, unbound, will use) another interface than the cluster's
     * @param wrong   nodes whose flanneld said it uses another interface than the node's cluster interface
     * @param spec    the binding as the spec tells (of the first flannel DaemonSet)
     */
    private record Binding(boolean problem, String why, Map<String, FlannelLog.Choice> wrong, FlannelSpec spec,
                           ClusterView.Config config) {
    }

    /** What flanneld said it chose wins over what the spec implies: flannel's own log is the ground truth. */
    private static Binding binding(ClusterView view, Net net, Map<String, List<NodeInterfaces.Interface>> multiNic) {
        ClusterView.Config first = view.flannelConfigs().iterator().next();
        FlannelSpec spec = FlannelSpec.of(first.config());
        Map<String, FlannelLog.Choice> wrong = new TreeMap<>();
        int right = 0;
        for (Map.Entry<String, FlannelLog.Choice> e : net.choices().entrySet()) {
            String want = net.clusterIface().get(e.getKey());
            if (want == null) {
                continue;
            }
            if (want.equals(e.getValue().iface())) {
                right++;
            } else {
                wrong.put(e.getKey(), e.getValue());
            }
        }
        if (!wrong.isEmpty()) {
            return new Binding(true, "flanneld uses another interface than the cluster's", wrong, spec, first);
        }
        if (right > 0) {
            return new Binding(false, "flanneld uses the cluster interface on every node that logged its choice",
                    wrong, spec, first);
        }
        return switch (spec.binding()) {
            case BOUND -> new Binding(false, "flannel is bound to an interface", wrong, spec, first);
            case UNKNOWN -> new Binding(false, "flannel's binding comes from " + String.join(", ", spec.unknownFrom())
                    + ", which the spec does not show", wrong, spec, first);
            case UNBOUND -> multiNic.isEmpty()
                    ? new Binding(false, "no node with several NICs", wrong, spec, first)
                    : new Binding(true, "flannel is not bound to an interface", wrong, spec, first);
        };
    }

    private Finding firing(ClusterView view, FlannelSettings s, Instant from, Instant now, List<ClusterView.Config> bad,
                           Binding binding, Net net, List<ClusterView.RestartIncrease> churn, int restarts,
                           Map<String, List<ClusterView.IoSample>> spiking,
                           Map<String, List<NodeInterfaces.Interface>> multiNic) {
        List<Decision.Evidence> ev = new ArrayList<>();
        double confidence = 0.6;

        for (ClusterView.RestartIncrease r : churn) {
            String term = r.termination() == null ? "" : ", last termination " + r.termination().reason()
                    + (r.termination().exitCode() == null ? "" : " exit " + r.termination().exitCode());
            ev.add(new Decision.Evidence(r.signalId(), "pod-restart", r.node(), r.pod() + "/" + r.container()
                    + " restarted (restartCount " + r.from() + "→" + r.to() + term + ")"));
        }

        // leader-election lines raise confidence; unrelated causes lower it
        Set<String> churnPods = churn.stream().map(ClusterView.RestartIncrease::pod).collect(Collectors.toSet());
        boolean leaderElection = false;
        int unrelated = 0;
        List<Decision.Evidence> logFacts = new ArrayList<>();
        for (ClusterView.Log l : view.logs(from, now)) {
            if (!l.previous() || !churnPods.contains(l.pod())) {
                continue;
            }
            String le = firstMatch(l.lines(), LEADER_ELECTION);
            if (le != null) {
                leaderElection = true;
                logFacts.add(new Decision.Evidence(l.signalId(), "container-log", l.node(),
                        l.pod() + " previous log: " + shorten(le)));
            }
            String other = firstMatch(l.lines(), UNRELATED);
            if (other != null) {
                unrelated++;
                logFacts.add(new Decision.Evidence(l.signalId(), "container-log", l.node(),
                        l.pod() + " previous log shows another cause: " + shorten(other)));
            }
        }
        for (ClusterView.RestartIncrease r : churn) {
            if (r.termination() != null && "OOMKilled".equals(r.termination().reason())) {
                unrelated++;
            }
        }
        ev.addAll(logFacts.subList(Math.max(0, logFacts.size() - MAX_LOG_FACTS), logFacts.size()));
        if (leaderElection) {
            confidence += 0.15;
        }
        confidence -= 0.2 * Math.min(unrelated, 2);

        for (Map.Entry<String, List<ClusterView.IoSample>> e : spiking.entrySet()) {
            List<ClusterView.IoSample> spikes = e.getValue();
            ClusterView.IoSample last = spikes.get(spikes.size() - 1);
            ev.add(new Decision.Evidence(last.signalId(), "process-io", e.getKey(), last.process() + " (pid "
                    + last.pid() + ") on " + e.getKey() + " read+wrote " + mib(last.bytesPerSec()) + "; "
                    + "at least " + spikes.size() + " samples at or above " + mib(s.ioBytesPerSec()) + " in " + Finding.span(s.window())));
        }

        for (Map.Entry<String, List<NodeInterfaces.Interface>> e : multiNic.entrySet()) {
            ClusterView.Inventory inv = view.inventory(e.getKey());
            String list = e.getValue().stream().map(i -> i.name() + (i.kind() == null || i.kind().equals("physical")
                    ? "" : " [" + i.kind() + (i.lower().isEmpty() ? "" : " of " + String.join("+", i.lower())) + "]")
                    + " (" + String.join(", ", i.addresses()) + (i.defaultRoute() ? ", default route" : "") + ")")
                    .collect(Collectors.joining(", "));
            String host = inv.interfaces().hostIP() == null ? "" : "; hostIP " + inv.interfaces().hostIP()
                    + carrierText(inv.interfaces());
            ev.add(new Decision.Evidence(inv.signalId(), "node-interfaces", e.getKey(), e.getKey() + " has "
                    + e.getValue().size() + " NICs up with IPv4: " + list + host));
        }
        ev.addAll(net.notes());

        // what flanneld said it uses
        for (FlannelLog.Choice c : net.choices().values()) {
            String want = net.clusterIface().get(c.node());
            boolean wrong = binding.wrong().containsKey(c.node());
            ev.add(new Decision.Evidence(c.signalId(), "container-log", c.node(), "flanneld on " + c.node() + " uses "
                    + c.iface() + " (" + c.address() + ")" + (c.how() == null ? "" : ", chosen by " + c.how())
                    + (wrong ? ", but the node's cluster interface is " + want : "")));
        }
        if (!binding.wrong().isEmpty()) {
            confidence += 0.1;
        }

        Decision.Recommendation rec = recommend(view, s, bad, binding, net, ev);
        for (ClusterView.Config c : view.flannelConfigs()) {
            FlannelConfig f = c.config();
            FlannelSpec spec = FlannelSpec.of(f);
            boolean known = bad.contains(c);
            String how = switch (spec.binding()) {
                case BOUND -> "bound (" + spec.describe().substring(spec.describe().indexOf(", ") + 2) + ")";
                case UNKNOWN -> "with its binding from " + String.join(", ", spec.unknownFrom()) + " (not readable here)";
                case UNBOUND -> "without --iface, --iface-regex, --iface-can-reach or --public-ip";
            };
            ev.add(new Decision.Evidence(c.signalId(), "flannel-config", null, "DaemonSet " + f.namespace() + "/"
                    + f.daemonSet() + " runs " + f.image() + (known ? " (known bad)" : "") + " " + how));
            if (known) {
                confidence += 0.05;
            }
        }

        confidence = Math.max(0.05, Math.min(0.99, Math.round(confidence * 100) / 100.0));
        String severity = confidence >= 0.5 ? "critical" : "warning";
        String problem;
        if (!binding.problem()) {
            problem = "flannel runs a known-bad version (its interface is right)";
        } else if (!binding.wrong().isEmpty()) {
            problem = "nodes have several NICs and flanneld uses " + String.join(", ", new TreeSet<>(binding.wrong()
                    .values().stream().map(FlannelLog.Choice::iface).toList())) + ", not the cluster interface";
        } else {
            problem = "nodes have several NICs and flannel is not bound to one";
        }
        String summary = view.cluster() + ": " + String.join("/", churn.stream().map(ClusterView.RestartIncrease::component)
                .collect(Collectors.toCollection(TreeSet::new))) + " restarted " + restarts + " times in "
                + Finding.span(s.window()) + " while " + s.ioProcess() + " on " + String.join(", ", spiking.keySet())
                + " hammered the disk; " + problem + fixText(rec);
        return new Finding(ID, true, severity, confidence, summary, ev, rec);
    }

    private Decision.Recommendation recommend(ClusterView view, FlannelSettings s, List<ClusterView.Config> bad,
                                              Binding binding, Net net, List<Decision.Evidence> ev) {
        FlannelConfig first = (bad.isEmpty() ? binding.config() : bad.get(0)).config();
        // every flannel DaemonSet of that namespace: older manifests have one per architecture
        List<String> daemonSets = new ArrayList<>();
        for (ClusterView.Config c : view.flannelConfigs()) {
            if (c.config().namespace().equals(first.namespace())) {
                daemonSets.add(c.config().daemonSet());
            }
        }
        Set<String> kernels = new TreeSet<>();
        net.inventories().values().forEach(i -> {
            if (i.kernelVersion() != null) {
                kernels.add(i.kernelVersion());
            }
        });

        List<String> iface = List.of();
        String regex = null;
        List<String> without = new ArrayList<>();
        if (binding.problem()) {
            Map<String, String> chosen = new TreeMap<>();
            for (String node : view.nodes()) {
                NodeInterfaces inv = net.inventories().get(node);
                String want = net.clusterIface().get(node);
                if (want != null) {
                    chosen.put(node, want);
                } else {
                    without.add(node);
                    if (inv != null) {
                        ev.add(new Decision.Evidence(view.inventory(node).signalId(), "node-interfaces", node, node
                                + ": no interface carries hostIP " + inv.hostIP()));
                    }
                }
            }
            Set<String> names = new TreeSet<>(chosen.values());
            iface = new ArrayList<>(names);
            if (names.size() > 1) {
                // flanneld's --iface-regex takes the first interface whose NAME matches, with or without an
                // address (pkg/ipmatch): safe only where a node has one of the names at all
                boolean regexSafe = true;
                for (String node : chosen.keySet()) {
                    Set<String> present = new LinkedHashSet<>();
                    for (NodeInterfaces.Interface i : net.inventories().get(node).interfaces()) {
                        if (names.contains(i.name())) {
                            present.add(i.name());
                        }
                    }
                    regexSafe &= present.size() == 1;
                }
                if (regexSafe) {
                    regex = "^(" + names.stream().map(FlannelIfaceRule::escape).collect(Collectors.joining("|")) + ")$";
                } else {
                    // repeated --iface are tried in order and one without an IPv4 address is skipped: an order
                    // in which each node's first usable name is its own cluster interface is safe (bond0 over eth0)
                    iface = safeOrder(new ArrayList<>(names), chosen, net.inventories());
                    if (iface.isEmpty()) {
                        String node = chosen.keySet().iterator().next();
                        ev.add(new Decision.Evidence(view.inventory(node).signalId(), "node-interfaces", node,
                                "nodes have several of " + names + " with addresses; no single flag or order is safe,"
                                        + " choose by hand"));
                    }
                }
            }
        }

        String target = null;
        if (!bad.isEmpty()) {
            String candidate = ImageRef.repository(first.image()) + ":" + s.knownGoodVersion();
            String broken = s.brokenKernel(s.knownGoodVersion(), kernels);
            if (broken == null) {
                target = candidate;
            } else {
                ev.add(new Decision.Evidence(bad.get(0).signalId(), "flannel-config", null, "not proposing "
                        + candidate + ": known to break kernel " + broken));
            }
        }
        return new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, first.namespace(), daemonSets,
                first.container(), first.image(), target, iface, regex, without, !binding.problem());
    }

    /** An order of the names in which every node's first name with an IPv4 address is its own; empty if none. */
    static List<String> safeOrder(List<String> names, Map<String, String> chosen, Map<String, NodeInterfaces> inv) {
        List<List<String>> orders = new ArrayList<>();
        permutations(names, 0, orders);
        for (List<String> order : orders) {
            boolean ok = true;
            for (Map.Entry<String, String> e : chosen.entrySet()) {
                String first = null;
                for (String n : order) {
                    if (inv.get(e.getKey()).interfaces().stream().anyMatch(i -> i.name().equals(n) && i.hasIpv4())) {
                        first = n;
                        break;
                    }
                }
                ok &= e.getValue().equals(first);
            }
            if (ok) {
                return order;
            }
        }
        return List.of();
    }

    private static void permutations(List<String> names, int k, List<List<String>> out) {
        if (names.size() > 5) {
            return; // more than 5 different interface names: nobody should get a guessed order
        }
        if (k == names.size()) {
            out.add(List.copyOf(names));
            return;
        }
        for (int i = k; i < names.size(); i++) {
            java.util.Collections.swap(names, k, i);
            permutations(names, k + 1, out);
            java.util.Collections.swap(names, k, i);
        }
    }

    private static String carrierText(NodeInterfaces inv) {
        String c = NodeNetwork.carrier(inv);
        return c == null ? " is on no interface" : " is on " + c;
    }

    private static String escape(String name) {
        return name.replaceAll("([\\\\.\\[\\]{}()*+?^$|])", "\\\\$1");
    }

    /** The line with the most telling needle (needles in priority order), or null. */
    private static String firstMatch(List<String> lines, List<String> needles) {
        for (String n : needles) {
            for (String line : lines) {
                if (line.contains(n)) {
                    return line;
                }
            }
        }
        return null;
    }

    private static String fixText(Decision.Recommendation r) {
        List<String> parts = new ArrayList<>();
        if (r.targetImage() != null) {
            parts.add("pin " + r.targetImage());
        }
        if (r.ifaceRegex() != null) {
            parts.add("--iface-regex=" + r.ifaceRegex());
        } else if (!r.iface().isEmpty()) {
            parts.add(r.iface().stream().map(i -> "--iface=" + i).collect(Collectors.joining(" ")));
        }
        String fix = parts.isEmpty() ? "" : ": " + String.join(" and ", parts);
        if (!r.nodesWithoutInventory().isEmpty()) {
            fix += " (interface unknown on " + String.join(", ", r.nodesWithoutInventory()) + ")";
        }
        return fix;
    }

    private static String shorten(String line) {
        String t = line.strip();
        return t.length() > 240 ? t.substring(0, 240) + "…" : t;
    }

    static String mib(double bytesPerSec) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytesPerSec / (1024 * 1024));
    }
}
