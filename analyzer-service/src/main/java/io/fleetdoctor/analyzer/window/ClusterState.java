package io.fleetdoctor.analyzer.window;

import io.fleetdoctor.playbook.ClusterView;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.ProcessIo;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One cluster's event-time window: compact summaries, not every sample. Its time is a
 * {@link ClusterClock}: each source has its own watermark, an event up to {@code lateness} behind its
 * own source's watermark is still applied where its time says, an older one is dropped and counted;
 * an event too far ahead of what the cluster's other sources say is refused. Rules evaluate at the
 * cluster's clock ({@link #now()}), which one source cannot move. Not thread-safe: the engine
 * serialises access per cluster.
 */
public final class ClusterState implements ClusterView {
    private static final int MAX_LOGS = 32;
    private static final int MAX_LOG_LINES = 50;
    private static final int RECENT_IDS = 512;
    /** flannel DaemonSets kept per cluster (the newest by event time); real clusters have one to a few. */
    private static final int MAX_FLANNEL_CONFIGS = 64;

    private final String cluster;
    private final WindowSettings settings;
    private final ClusterClock clock;
    private long resetAt = Long.MIN_VALUE;
    private long lastPrune = Long.MIN_VALUE;
    private long evictedNodes;
    private long evictedContainers;
    private final Map<String, ContainerTrack> containers = new HashMap<>();
    /** Nodes in name order (what the rules iterate), and the same by hash for the lookup of every signal. */
    private final TreeMap<String, NodeState> nodes = new TreeMap<>();
    /**
     * Performance (BENCHMARKS.md): a TreeMap lookup compares the name with ~log2(nodes) others over their common
     * prefix ("node-00"); it was ~7 % of the analyzer's per-signal work. A hash index costs ~40 bytes per node.
     */
    private final HashMap<String, NodeState> nodeIndex = new HashMap<>();
    private final TreeMap<String, Config> flannel = new TreeMap<>();
    private final ArrayDeque<Log> logs = new ArrayDeque<>();
    /** Ids of recent low-volume signals, for duplicate detection; samples dedupe by node and time. */
    private final Set<String> recentIds = java.util.Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    });

    public ClusterState(String cluster, WindowSettings settings) {
        this.cluster = cluster;
        this.settings = settings;
        this.clock = new ClusterClock(settings.lateness(), settings.maxFuture(), settings.sourceIdle());
    }

    /**
     * What happened to an event offered to the window: applied, a duplicate, late (behind its own
     * source), or ahead (refused: see {@link ClusterClock}).
     */
    public enum Outcome { APPLIED, DUPLICATE, LATE, AHEAD }

    public Outcome apply(CloudEvent<?> e) {
        long t = e.time().toEpochMilli();
        ClusterClock.Verdict verdict = clock.admit(e.source(), t);
        if (verdict == ClusterClock.Verdict.LATE) {
            return Outcome.LATE;
        }
        if (verdict == ClusterClock.Verdict.AHEAD) {
            return Outcome.AHEAD;
        }
        boolean applied;
        Object d = e.data();
        if (d instanceof ProcessIo io) {
            applied = applyIo(e.id(), t, io);
        } else if (d instanceof Heartbeat h) {
            if (h.node() != null) {
                node(h.node(), t);
            }
            applied = true;
        } else if (!recentIds.add(e.id())) {
            applied = false;
        } else if (d instanceof PodRestart p) {
            containers.computeIfAbsent(p.namespace() + '/' + p.pod() + '/' + p.container(), k -> new ContainerTrack(p))
                    .observe(t, p, e.id());
            if (p.node() != null && !p.node().isEmpty()) {
                node(p.node(), t);
            }
            applied = true;
        } else if (d instanceof NodeInterfaces n) {
            NodeState ns = node(n.node(), t);
            if (ns.inventory == null || ns.inventory.time().toEpochMilli() <= t) {
                ns.inventory = new Inventory(e.id(), e.time(), n);
            }
            applied = true;
        } else if (d instanceof FlannelConfig f) {
            String key = f.namespace() + '/' + f.daemonSet();
            Config old = flannel.get(key);
            if (old == null || old.time().toEpochMilli() <= t) {
                flannel.put(key, new Config(e.id(), e.time(), f));
                if (flannel.size() > MAX_FLANNEL_CONFIGS) {
                    flannel.values().stream().min(java.util.Comparator.comparing(Config::time))
                            .ifPresent(oldest -> flannel.values().remove(oldest));
                }
            }
            applied = true;
        } else if (d instanceof ContainerLog l) {
            applyLog(e.id(), e.time(), l);
            applied = true;
        } else {
            applied = false; // decisions and remediations are not signals
        }
        if (!applied) {
            return Outcome.DUPLICATE;
        }
        clock.heard(e.source(), t);
        long now = clock.now();
        if (lastPrune == Long.MIN_VALUE || now < lastPrune
                || now - lastPrune > settings.retention().toMillis() / 10) {
            prune();
        }
        return Outcome.APPLIED;
    }

    private boolean applyIo(String id, long t, ProcessIo io) {
        NodeState ns = node(io.node(), t);
        boolean any = false;
        boolean fresh = true;
        for (ProcessIo.Process p : io.processes()) {
            if (settings.watchedProcesses().contains(p.name())) {
                any = true;
                double rate = p.totalBytesPerSec();
                fresh &= ns.sample(t, id, p.name(), p.pid(), rate, rate >= settings.spikeBytesPerSec());
            }
        }
        return !any || fresh;
    }

    private void applyLog(String id, Instant time, ContainerLog l) {
        List<String> lines = l.lines();
        if (!l.previous() && l.node() != null && !settings.logMarkers().isEmpty()) {
            List<String> marked = new ArrayList<>();
            for (String line : lines) {
                for (String m : settings.logMarkers()) {
                    if (line.contains(m)) {
                        marked.add(line);
                        break;
                    }
                }
            }
            if (!marked.isEmpty()) {
                NodeState ns = node(l.node(), time.toEpochMilli());
                Log old = ns.startupLines.get(l.container());
                if (old == null || !old.time().isAfter(time)) {
                    ns.startupLines.put(l.container(), new Log(id, time, l.pod(), l.container(), l.node(), false,
                            List.copyOf(marked.subList(Math.max(0, marked.size() - MAX_LOG_LINES), marked.size()))));
                }
            }
        }
        List<String> tail = lines.size() > MAX_LOG_LINES ? lines.subList(lines.size() - MAX_LOG_LINES, lines.size()) : lines;
        logs.addLast(new Log(id, time, l.pod(), l.container(), l.node(), l.previous(), List.copyOf(tail)));
        while (logs.size() > MAX_LOGS) {
            logs.removeFirst();
        }
    }

    private NodeState node(String name, long time) {
        NodeState ns = nodeIndex.get(name);
        if (ns == null) {
            ns = new NodeState(settings.spikeRing());
            nodes.put(name, ns);
            nodeIndex.put(name, ns);
        }
        ns.lastSeen = Math.max(ns.lastSeen, time);
        return ns;
    }

    /**
     * Drops what the rules can no longer count: observations behind the retention, and nodes and containers
     * not heard for {@code idle} (cycling node or pod names must not grow the heap).
     */
    private void prune() {
        lastPrune = clock.now();
        long horizon = lastPrune - settings.retention().toMillis() - settings.lateness().toMillis();
        long idleHorizon = lastPrune - settings.idle().toMillis();
        containers.values().forEach(c -> c.prune(horizon));
        int before = containers.size();
        containers.values().removeIf(c -> c.newest() < idleHorizon);
        evictedContainers += before - containers.size();
        before = nodes.size();
        nodes.values().removeIf(n -> n.lastSeen < idleHorizon);
        nodeIndex.values().removeIf(n -> n.lastSeen < idleHorizon);
        evictedNodes += before - nodes.size();
        logs.removeIf(l -> l.time().toEpochMilli() < horizon);
        clock.forget(horizon);
    }

    public long evictedNodes() {
        return evictedNodes;
    }

    public long evictedContainers() {
        return evictedContainers;
    }

    /** Restart increases and spikes up to this time no longer count (a remediation fixed them). */
    public void resetEvidence(Instant at) {
        resetAt = Math.max(resetAt, at.toEpochMilli());
    }

    /** The cluster's clock (the time rules evaluate at), or null before the first event. */
    public Instant now() {
        long now = clock.now();
        return now == Long.MIN_VALUE ? null : Instant.ofEpochMilli(now);
    }

    /** The time the last event refused as {@link Outcome#AHEAD} was compared with. */
    public Instant aheadReference() {
        return Instant.ofEpochMilli(clock.reference());
    }

    public WindowSettings settings() {
        return settings;
    }

    /** Entries held (observations, nodes, configs, logs): the size of the window state. */
    public int entries() {
        int n = nodes.size() + flannel.size() + logs.size();
        for (ContainerTrack c : containers.values()) {
            n += c.size();
        }
        return n;
    }

    // ------------------------------------------------------------------ ClusterView
    // Nothing is later than the cluster's clock: a restart, spike or log stamped ahead of it (by at most
    // max-future, further ones were refused) comes from a clock running ahead, since an event cannot arrive
    // before it happened; it counts as at the clock. One stamped behind is taken where its time says: it
    // may as well be a late delivery.

    private long latest() {
        long now = clock.now();
        return now == Long.MIN_VALUE ? Long.MAX_VALUE : now;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public List<RestartIncrease> restartIncreases(Instant from, Instant to) {
        List<RestartIncrease> out = new ArrayList<>();
        long f = Math.max(from.toEpochMilli(), resetAt);
        long latest = latest();
        for (ContainerTrack c : containers.values()) {
            c.addIncreases(f, to.toEpochMilli(), latest, out);
        }
        out.sort((a, b) -> a.time().compareTo(b.time()) != 0 ? a.time().compareTo(b.time())
                : a.pod().compareTo(b.pod()));
        return out;
    }

    @Override
    public Collection<String> nodes() {
        return nodes.keySet();
    }

    @Override
    public Inventory inventory(String node) {
        NodeState ns = nodeIndex.get(node);
        return ns == null ? null : ns.inventory;
    }

    @Override
    public List<Log> startupLines(String node) {
        NodeState ns = nodeIndex.get(node);
        if (ns == null || ns.startupLines.isEmpty()) {
            return List.of();
        }
        List<Log> out = new ArrayList<>(ns.startupLines.values());
        out.sort((a, b) -> b.time().compareTo(a.time()));
        return out;
    }

    @Override
    public List<IoSample> ioSpikes(String node, Instant from, Instant to) {
        NodeState ns = nodeIndex.get(node);
        return ns == null ? List.of() : ns.spikes(Math.max(from.toEpochMilli(), resetAt), to.toEpochMilli(), latest());
    }

    @Override
    public IoSample lastIo(String node) {
        NodeState ns = nodeIndex.get(node);
        return ns == null ? null : ns.lastIo;
    }

    @Override
    public Collection<Config> flannelConfigs() {
        return flannel.values();
    }

    @Override
    public List<Log> logs(Instant from, Instant to) {
        List<Log> out = new ArrayList<>();
        long f = from.toEpochMilli();
        long t = to.toEpochMilli();
        long latest = latest();
        for (Log l : logs) {
            long lt = l.time().toEpochMilli();
            if (lt > latest) {
                lt = latest;
                l = new Log(l.signalId(), Instant.ofEpochMilli(lt), l.pod(), l.container(), l.node(), l.previous(),
                        l.lines());
            }
            if (lt > f && lt <= t) {
                out.add(l);
            }
        }
        return out;
    }
}
