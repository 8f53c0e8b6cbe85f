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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * flannel-iface (DESIGN.md): control-plane churn + a flanneld IO spike + nodes with several NICs +
 * flannel not bound to an interface. Cheap conditions are checked first, so the common case (a
 * healthy cluster) costs a look at a few restart observations.
 */
public final class FlannelIfaceRule implements Rule {
    public static final String ID = "flannel-iface";

    private static final List<String> LEADER_ELECTION = List.of("leaderelection lost", "failed to renew lease",
            "Failed to update lock", "context deadline exceeded", "etcdserver: request timed out");
    private static final List<String> UNRELATED = List.of("unknown flag", "flag provided but not defined",
            "invalid argument", "OOMKilled", "out of memory", "no such file or directory");
    /** flanneld's line naming the interface it uses (flannel main.go); the window keeps it per node. */
    static final String CHOICE_MARKER = "Using interface with name";
    private static final Pattern CHOICE = Pattern.compile("Using interface with name (\\S+) and address (\\S+)");
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

        // 4. flannel not bound
        List<ClusterView.Config> unbound = new ArrayList<>();
        for (ClusterView.Config c : view.flannelConfigs()) {
            if (!FlannelSpec.of(c.config()).bound()) {
                unbound.add(c);
            }
        }
        if (view.flannelConfigs().isEmpty()) {
            return Finding.quiet(ID, "no flannel DaemonSet seen");
        }
        if (unbound.isEmpty()) {
            return Finding.quiet(ID, "flannel is bound to an interface");
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

        // 3. several NICs on a spiking node (or on any node when a spiking node has no inventory)
        Map<String, List<NodeInterfaces.Interface>> multiNic = new TreeMap<>();
        boolean spikingWithoutInventory = false;
        for (String node : spiking.keySet()) {
            ClusterView.Inventory inv = view.inventory(node);
            if (inv == null) {
                spikingWithoutInventory = true;
            } else if (nics(inv.interfaces()).size() >= s.minNics()) {
                multiNic.put(node, nics(inv.interfaces()));
            }
        }
        if (multiNic.isEmpty() && spikingWithoutInventory) {
            for (String node : view.nodes()) {
                ClusterView.Inventory inv = view.inventory(node);
                if (inv != null && nics(inv.interfaces()).size() >= s.minNics()) {
                    multiNic.put(node, nics(inv.interfaces()));
                }
            }
        }
        if (multiNic.isEmpty()) {
            return Finding.quiet(ID, "no node with " + s.minNics() + " or more NICs");
        }

        return firing(view, s, from, now, unbound, churn, restarts, spiking, multiNic);
    }

    private Finding firing(ClusterView view, FlannelSettings s, Instant from, Instant now,
                           List<ClusterView.Config> unbound, List<ClusterView.RestartIncrease> churn, int restarts,
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
                    + "at least " + spikes.size() + " samples at or above " + mib(s.ioBytesPerSec()) + " in " + human(s.window())));
        }

        for (Map.Entry<String, List<NodeInterfaces.Interface>> e : multiNic.entrySet()) {
            ClusterView.Inventory inv = view.inventory(e.getKey());
            String list = e.getValue().stream().map(i -> i.name() + " (" + String.join(", ", i.addresses())
                    + (i.defaultRoute() ? ", default route" : "") + ")").collect(Collectors.joining(", "));
            String host = inv.interfaces().hostIP() == null ? "" : "; hostIP " + inv.interfaces().hostIP()
                    + carrierText(inv.interfaces());
            ev.add(new Decision.Evidence(inv.signalId(), "node-interfaces", e.getKey(), e.getKey() + " has "
                    + e.getValue().size() + " physical NICs up with IPv4: " + list + host));
        }

        // the interface flannel chose, when its log told us
        boolean wrongChoice = false;
        for (String node : view.nodes()) {
            ClusterView.Log choice = null;
            Matcher m = null;
            for (ClusterView.Log l : view.startupLines(node)) {
                for (int i = l.lines().size() - 1; i >= 0 && m == null; i--) {
                    Matcher candidate = CHOICE.matcher(l.lines().get(i));
                    if (candidate.find()) {
                        m = candidate;
                        choice = l;
                    }
                }
                if (m != null) {
                    break;
                }
            }
            if (m == null) {
                continue;
            }
            ClusterView.Inventory inv = view.inventory(node);
            String carrier = inv == null ? null : carrier(inv.interfaces());
            boolean wrong = carrier != null && !carrier.equals(m.group(1));
            wrongChoice |= wrong;
            ev.add(new Decision.Evidence(choice.signalId(), "container-log", node, "flanneld on " + node + " uses "
                    + m.group(1) + " (" + m.group(2) + ")" + (wrong ? ", but hostIP " + inv.interfaces().hostIP()
                    + " is on " + carrier : "")));
        }
        if (wrongChoice) {
            confidence += 0.1;
        }

        Decision.Recommendation rec = recommend(view, s, unbound, ev);
        for (ClusterView.Config c : unbound) {
            FlannelConfig f = c.config();
            String v = ImageRef.tag(f.image());
            ev.add(new Decision.Evidence(c.signalId(), "flannel-config", null, "DaemonSet " + f.namespace() + "/"
                    + f.daemonSet() + " runs " + f.image() + (s.knownBadVersions().contains(v) ? " (known bad)" : "")
                    + " without --iface, --iface-regex or --iface-can-reach"));
            if (s.knownBadVersions().contains(v)) {
                confidence += 0.05;
            }
        }

        confidence = Math.max(0.05, Math.min(0.99, Math.round(confidence * 100) / 100.0));
        String severity = confidence >= 0.5 ? "critical" : "warning";
        String fix = fixText(rec);
        String summary = view.cluster() + ": " + String.join("/", churn.stream().map(ClusterView.RestartIncrease::component)
                .collect(Collectors.toCollection(TreeSet::new))) + " restarted " + restarts + " times in "
                + human(s.window()) + " while " + s.ioProcess() + " on " + String.join(", ", spiking.keySet())
                + " hammered the disk; nodes have several NICs and flannel is not bound to one" + fix;
        return new Finding(ID, true, severity, confidence, summary, ev, rec);
    }

    private Decision.Recommendation recommend(ClusterView view, FlannelSettings s,
                                              List<ClusterView.Config> unbound, List<Decision.Evidence> ev) {
        FlannelConfig first = unbound.get(0).config();
        // every flannel DaemonSet of that namespace: older manifests have one per architecture
        List<String> daemonSets = new ArrayList<>();
        for (ClusterView.Config c : view.flannelConfigs()) {
            if (c.config().namespace().equals(first.namespace())) {
                daemonSets.add(c.config().daemonSet());
            }
        }

        Map<String, String> chosen = new TreeMap<>();
        List<String> without = new ArrayList<>();
        Set<String> kernels = new TreeSet<>();
        for (String node : view.nodes()) {
            ClusterView.Inventory inv = view.inventory(node);
            if (inv == null) {
                without.add(node);
                continue;
            }
            if (inv.interfaces().kernelVersion() != null) {
                kernels.add(inv.interfaces().kernelVersion());
            }
            String carrier = carrier(inv.interfaces());
            if (carrier == null) {
                without.add(node);
                ev.add(new Decision.Evidence(inv.signalId(), "node-interfaces", node, node
                        + ": no interface carries hostIP " + inv.interfaces().hostIP()));
            } else {
                chosen.put(node, carrier);
            }
        }
        Set<String> names = new TreeSet<>(chosen.values());
        List<String> iface = new ArrayList<>(names);
        String regex = null;
        if (names.size() > 1) {
            regex = "^(" + names.stream().map(FlannelIfaceRule::escape).collect(Collectors.joining("|")) + ")$";
            for (Map.Entry<String, String> e : chosen.entrySet()) {
                Set<String> present = new LinkedHashSet<>();
                for (NodeInterfaces.Interface i : view.inventory(e.getKey()).interfaces().interfaces()) {
                    if (names.contains(i.name())) {
                        present.add(i.name());
                    }
                }
                if (present.size() > 1) {
                    ev.add(new Decision.Evidence(view.inventory(e.getKey()).signalId(), "node-interfaces", e.getKey(),
                            e.getKey() + " has several of " + names + "; no single flag is safe, choose by hand"));
                    iface = List.of();
                    regex = null;
                    break;
                }
            }
        }

        String target = null;
        String version = ImageRef.tag(first.image());
        if (version != null && s.knownBadVersions().contains(version)) {
            String candidate = ImageRef.repository(first.image()) + ":" + s.knownGoodVersion();
            String broken = s.brokenKernel(s.knownGoodVersion(), kernels);
            if (broken == null) {
                target = candidate;
            } else {
                ev.add(new Decision.Evidence(unbound.get(0).signalId(), "flannel-config", null, "not proposing "
                        + candidate + ": known to break kernel " + broken));
            }
        }
        return new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, first.namespace(), daemonSets,
                first.container(), first.image(), target, iface, regex, without);
    }

    static List<NodeInterfaces.Interface> nics(NodeInterfaces inv) {
        List<NodeInterfaces.Interface> out = new ArrayList<>();
        for (NodeInterfaces.Interface i : inv.interfaces()) {
            if (i.physical() && i.up() && i.hasIpv4()) {
                out.add(i);
            }
        }
        return out;
    }

    /** The interface carrying the node's hostIP, or null. */
    static String carrier(NodeInterfaces inv) {
        for (NodeInterfaces.Interface i : inv.interfaces()) {
            if (i.carries(inv.hostIP())) {
                return i.name();
            }
        }
        return null;
    }

    private static String carrierText(NodeInterfaces inv) {
        String c = carrier(inv);
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
            parts.add("--iface=" + r.iface().get(0));
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

    static String human(Duration d) {
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }
}
