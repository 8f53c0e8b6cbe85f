package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.playbook.Finding;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.analyzer.window.ClusterClock;
import io.fleetdoctor.analyzer.window.ClusterState;
import io.fleetdoctor.analyzer.window.WindowSettings;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The analyzer's core, shared by the service and {@code fleetdoctor replay}: per-cluster windows,
 * the enabled rules, and the incident lifecycle (one open incident per cluster and rule). Pure and
 * deterministic: decisions depend only on the events, their order and their event times. Rules
 * evaluate at the cluster's clock and incidents resolve against it ({@link ClusterState#now()},
 * robust against one source's wrong clock). The only wall clock is the one the service passes to
 * {@link #offer} for the {@code max-future} bound; replay passes none.
 * Thread-safe; work for one cluster is serialised on that cluster's state.
 */
public final class AnalyzerEngine {
    private final List<Rule> rules;
    private final Function<String, WindowSettings> windowSettings;
    private final Limits limits;
    private final AtomicLong evictedClusters = new AtomicLong();
    /** Node and container evictions of windows since dropped (so the counters never go down). */
    private final AtomicLong evictedNodesGone = new AtomicLong();
    private final AtomicLong evictedContainersGone = new AtomicLong();
    private final AtomicLong evidenceLeftOut = new AtomicLong();
    private final Map<String, ClusterSlot> clusters = new ConcurrentHashMap<>();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong aheadOfAnalyzer = new AtomicLong();
    private final AtomicLong aheadOfCluster = new AtomicLong();

    public AnalyzerEngine(List<Rule> rules, Function<String, WindowSettings> windowSettings) {
        this(rules, windowSettings, Limits.DEFAULT);
    }

    public AnalyzerEngine(List<Rule> rules, Function<String, WindowSettings> windowSettings, Limits limits) {
        this.rules = List.copyOf(rules);
        this.windowSettings = windowSettings;
        this.limits = limits;
    }

    /**
     * Bounds on what one decision carries: at most {@code maxEvidence} items (taken round-robin over the
     * evidence types, the summary says how many were left out) and at most {@code maxDecisionBytes} encoded,
     * under the broker's 1 MB record limit; a decision over it is sent with fewer items until it fits.
     */
    public record Limits(int maxEvidence, int maxDecisionBytes) {
        public static final Limits DEFAULT = new Limits(50, 256 * 1024);

        public Limits {
            if (maxEvidence < 1 || maxDecisionBytes < 1024) {
                throw new IllegalArgumentException("max-evidence must be >= 1 and max-decision-bytes >= 1024");
            }
        }
    }

    private static final class ClusterSlot {
        final ClusterState state;
        final Map<String, Open> open = new HashMap<>();
        /** The service's wall clock (ms) when this cluster last offered an event: idle eviction. */
        volatile long lastOffered = Long.MIN_VALUE;

        ClusterSlot(ClusterState state) {
            this.state = state;
        }
    }

    /** An open incident as the engine tracks it. */
    private static final class Open {
        final String incidentId;
        Instant lastTrue;
        int seq;
        String severity;
        double confidence;
        Decision.Recommendation recommendation;
        List<Decision.Evidence> evidence;

        Open(String incidentId, Instant lastTrue) {
            this.incidentId = incidentId;
            this.lastTrue = lastTrue;
        }
    }

    /** What became of a signal offered to the engine. */
    public enum Outcome { APPLIED, DUPLICATE, LATE, AHEAD, NOT_A_SIGNAL }

    /**
     * The result of {@link #offer}: the incident changes the event caused (usually none) and, for
     * {@code AHEAD}, the reason it was refused (the service dead-letters it, replay reports it).
     */
    public record Intake(Outcome outcome, String reason, List<EngineOutput> outputs) {
        private static final Intake NOT_A_SIGNAL = new Intake(Outcome.NOT_A_SIGNAL, null, List.of());
        private static final Intake LATE = new Intake(Outcome.LATE, null, List.of());
        private static final Intake DUPLICATE = new Intake(Outcome.DUPLICATE, null, List.of());
    }

    /** Applies one signal and returns the incident changes it caused; what {@code offer(event, null)} does. */
    public List<EngineOutput> accept(CloudEvent<?> event) {
        return offer(event, null).outputs();
    }

    /**
     * Applies one signal. {@code wallClock} is the service's clock for the {@code max-future} bound
     * (an event further ahead of it is refused), or null (replay: only the cluster's clock bounds it).
     */
    public Intake offer(CloudEvent<?> event, Instant wallClock) {
        return offer(event, wallClock, true);
    }

    /**
     * Applies one signal to its cluster's window without evaluating the rules: a partition's rebuild replays
     * what the previous owner already decided on (see {@link #evaluateCluster}). {@code wallClock} as in
     * {@link #offer} (the rebuild passes the record's timestamp, the clock it was first checked against).
     */
    public Intake rebuild(CloudEvent<?> event, Instant wallClock) {
        return offer(event, wallClock, false);
    }

    private Intake offer(CloudEvent<?> event, Instant wallClock, boolean evaluate) {
        if (!event.type().isSignal()) {
            return Intake.NOT_A_SIGNAL;
        }
        ClusterSlot known = clusters.get(event.cluster());
        Duration maxFuture = (known != null ? known.state.settings() : windowSettings.apply(event.cluster())).maxFuture();
        // checked before a window is made: refused events must not create state (cycling cluster ids)
        if (wallClock != null && event.time().isAfter(wallClock.plus(maxFuture))) {
            aheadOfAnalyzer.incrementAndGet();
            return new Intake(Outcome.AHEAD, "time " + event.time() + " is "
                    + ClusterClock.human(event.time().toEpochMilli() - wallClock.toEpochMilli())
                    + " ahead of the analyzer's clock (max-future " + ClusterClock.human(maxFuture.toMillis()) + ")",
                    List.of());
        }
        ClusterSlot slot = known != null ? known : clusters.computeIfAbsent(event.cluster(),
                c -> new ClusterSlot(new ClusterState(c, windowSettings.apply(c))));
        if (wallClock != null) {
            slot.lastOffered = wallClock.toEpochMilli();
        }
        synchronized (slot) {
            ClusterState.Outcome outcome = slot.state.apply(event);
            switch (outcome) {
                case LATE -> {
                    late.incrementAndGet();
                    return Intake.LATE;
                }
                case DUPLICATE -> {
                    duplicates.incrementAndGet();
                    return Intake.DUPLICATE;
                }
                case AHEAD -> {
                    aheadOfCluster.incrementAndGet();
                    Instant ref = slot.state.aheadReference();
                    return new Intake(Outcome.AHEAD, "time " + event.time() + " is "
                            + ClusterClock.human(event.time().toEpochMilli() - ref.toEpochMilli())
                            + " ahead of cluster " + event.cluster() + "'s clock " + ref + " (max-future "
                            + ClusterClock.human(maxFuture.toMillis()) + ", source " + event.source() + ")",
                            List.of());
                }
                default -> {
                    if (evaluate) {
                        return new Intake(Outcome.APPLIED, null, evaluate(slot, event.id()));
                    }
                    touchOpen(slot);
                    return new Intake(Outcome.APPLIED, null, List.of());
                }
            }
        }
    }

    private List<EngineOutput> evaluate(ClusterSlot slot, String triggerId) {
        Instant now = slot.state.now();
        List<EngineOutput> out = null;
        for (Rule rule : rules) {
            Finding f = rule.evaluate(slot.state, now);
            Open open = slot.open.get(rule.id());
            EngineOutput o = null;
            if (f.firing()) {
                if (open == null) {
                    open = new Open(incidentId(slot.state.cluster(), rule.id(), now, triggerId), now);
                    slot.open.put(rule.id(), open);
                    o = emit(slot, rule, open, f, EngineOutput.Kind.OPEN, Decision.OPEN, now, true);
                } else {
                    open.lastTrue = now;
                    boolean material = !f.severity().equals(open.severity)
                            || Math.abs(f.confidence() - open.confidence) >= 0.1
                            || !Objects.equals(f.recommendation(), open.recommendation);
                    if (material) {
                        o = emit(slot, rule, open, f, EngineOutput.Kind.UPDATED, Decision.UPDATED, now, true);
                    } else if (!sameFacts(f.evidence(), open.evidence)) {
                        o = emit(slot, rule, open, f, EngineOutput.Kind.EVIDENCE, Decision.UPDATED, now, false);
                    }
                }
            } else if (open != null && !now.isBefore(open.lastTrue.plus(rule.resolveAfter(slot.state.cluster())))) {
                o = resolve(slot, rule.id(), open, now, "conditions false for "
                        + rule.resolveAfter(slot.state.cluster()).toMinutes() + "m: " + f.summary());
            }
            if (o != null) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(o);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * While rebuilding: an adopted incident whose conditions hold at this point of the replay was true then
     * (its stored time is only its last stored change), so it resolves when the previous owner would have.
     */
    private void touchOpen(ClusterSlot slot) {
        if (slot.open.isEmpty()) {
            return;
        }
        Instant now = slot.state.now();
        for (Rule rule : rules) {
            Open open = slot.open.get(rule.id());
            if (open != null && now != null && now.isAfter(open.lastTrue) && rule.evaluate(slot.state, now).firing()) {
                open.lastTrue = now;
            }
        }
    }

    /**
     * Evidence counts as new when a fact from another signal appears; process-io facts count by node
     * only, since their newest sample changes every interval.
     */
    private static boolean sameFacts(List<Decision.Evidence> a, List<Decision.Evidence> b) {
        return b != null && factKeys(a).equals(factKeys(b));
    }

    private static java.util.Set<String> factKeys(List<Decision.Evidence> evidence) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Decision.Evidence e : evidence) {
            keys.add("process-io".equals(e.type()) ? "io:" + e.node() : e.signalId() + ':' + e.fact());
        }
        return keys;
    }

    private EngineOutput emit(ClusterSlot slot, Rule rule, Open open, Finding f, EngineOutput.Kind kind,
                              String status, Instant now, boolean publish) {
        open.severity = f.severity();
        open.confidence = f.confidence();
        open.recommendation = f.recommendation();
        List<Decision.Evidence> all = f.evidence();
        List<Decision.Evidence> shown = roundRobin(all, limits.maxEvidence());
        open.evidence = shown; // bounded too: compared with the next finding's, capped the same way
        int seq = open.seq;
        while (true) {
            String summary = shown.size() < all.size()
                    ? f.summary() + " (evidence: " + shown.size() + " of " + all.size() + " items shown)" : f.summary();
            Decision d = new Decision(open.incidentId, rule.id(), status, f.severity(), f.confidence(), summary,
                    shown, f.recommendation());
            CloudEvent<Decision> e = event(slot.state.cluster(), open, d, now);
            if (shown.isEmpty() || io.fleetdoctor.events.EventCodec.encode(e).length <= limits.maxDecisionBytes()) {
                evidenceLeftOut.addAndGet(all.size() - shown.size());
                return new EngineOutput(kind, e, publish);
            }
            open.seq = seq; // the same decision again, smaller
            shown = roundRobin(all, shown.size() / 2);
        }
    }

    /** At most {@code max} items, taking each evidence type in turn, each type's items in the rule's order. */
    static List<Decision.Evidence> roundRobin(List<Decision.Evidence> all, int max) {
        if (all.size() <= max) {
            return all;
        }
        Map<String, java.util.ArrayDeque<Decision.Evidence>> byType = new java.util.LinkedHashMap<>();
        for (Decision.Evidence e : all) {
            byType.computeIfAbsent(String.valueOf(e.type()), t -> new java.util.ArrayDeque<>()).add(e);
        }
        java.util.Set<Decision.Evidence> picked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (picked.size() < max) {
            for (java.util.ArrayDeque<Decision.Evidence> q : byType.values()) {
                if (!q.isEmpty() && picked.size() < max) {
                    picked.add(q.poll());
                }
            }
        }
        List<Decision.Evidence> out = new ArrayList<>(max);
        for (Decision.Evidence e : all) {
            if (picked.contains(e)) {
                out.add(e); // the rule's order
            }
        }
        return out;
    }

    private EngineOutput resolve(ClusterSlot slot, String rule, Open open, Instant now, String why) {
        slot.open.remove(rule);
        Decision d = new Decision(open.incidentId, rule, Decision.RESOLVED, "info",
                open.confidence, slot.state.cluster() + ": resolved, " + why, List.of(), null);
        return new EngineOutput(EngineOutput.Kind.RESOLVED, event(slot.state.cluster(), open, d, now), true);
    }

    private static CloudEvent<Decision> event(String cluster, Open open, Decision d, Instant now) {
        open.seq++;
        return CloudEvent.of(open.incidentId + "-" + open.seq, "/clusters/" + cluster + "/analyzer", now, cluster,
                "incident/" + open.incidentId, d);
    }

    /**
     * A remediation for an incident succeeded: the incident resolves, and the restarts and IO spikes
     * seen so far stop counting, so the old evidence still in the window cannot reopen it. {@code at}
     * (the remediator's clock) counts up to {@code max-future} ahead of the cluster's clock, no further.
     */
    public List<EngineOutput> remediationSucceeded(String cluster, String incidentId, Instant at) {
        ClusterSlot slot = clusters.get(cluster);
        if (slot == null) {
            return List.of();
        }
        synchronized (slot) {
            Instant clock = slot.state.now();
            Instant now = at;
            if (clock != null) {
                Instant latest = clock.plus(slot.state.settings().maxFuture());
                now = at.isBefore(clock) ? clock : at.isAfter(latest) ? latest : at;
            }
            slot.state.resetEvidence(now);
            for (Map.Entry<String, Open> e : slot.open.entrySet()) {
                if (e.getValue().incidentId.equals(incidentId)) {
                    return List.of(resolve(slot, e.getKey(), e.getValue(), now, "remediation succeeded"));
                }
            }
            return List.of();
        }
    }

    /** Makes an incident stored as open (e.g. before a restart) known again, so it can update and resolve. */
    public void restoreOpen(String cluster, String rule, String incidentId, Instant lastTrue, int seq) {
        ClusterSlot slot = clusters.computeIfAbsent(cluster,
                c -> new ClusterSlot(new ClusterState(c, windowSettings.apply(c))));
        synchronized (slot) {
            Open o = new Open(incidentId, lastTrue);
            o.seq = seq;
            slot.open.putIfAbsent(rule, o);
        }
    }

    /**
     * Adopts an incident stored as open with the state it was stored with, replacing what this engine held for
     * that cluster and rule: a later finding equal to it emits nothing, a different one updates it.
     */
    public void adoptOpen(String cluster, String rule, String incidentId, Instant lastTrue, int seq, String severity,
                          double confidence, Decision.Recommendation recommendation, List<Decision.Evidence> evidence) {
        ClusterSlot slot = clusters.computeIfAbsent(cluster,
                c -> new ClusterSlot(new ClusterState(c, windowSettings.apply(c))));
        synchronized (slot) {
            Open o = new Open(incidentId, lastTrue);
            o.seq = seq;
            o.severity = severity;
            o.confidence = confidence;
            o.recommendation = recommendation;
            o.evidence = evidence;
            slot.open.put(rule, o);
        }
    }

    /**
     * Evaluates the rules on a cluster's window as it is (after a rebuild), as if {@code triggerId} had just
     * arrived; returns the changes against the incidents held (adopted ones included). Nothing for an unknown
     * cluster or one without a clock yet.
     */
    public List<EngineOutput> evaluateCluster(String cluster, String triggerId) {
        ClusterSlot slot = clusters.get(cluster);
        if (slot == null) {
            return List.of();
        }
        synchronized (slot) {
            return slot.state.now() == null ? List.of() : evaluate(slot, triggerId);
        }
    }

    /**
     * Drops the windows and open incidents of the clusters matching {@code which} (their partitions went to
     * another analyzer); returns how many went. Their evicted nodes and containers stay counted.
     */
    public int drop(java.util.function.Predicate<String> which) {
        int n = 0;
        for (Map.Entry<String, ClusterSlot> e : clusters.entrySet()) {
            if (which.test(e.getKey())) {
                ClusterSlot s = e.getValue();
                synchronized (s) {
                    if (clusters.remove(e.getKey(), s)) {
                        n++;
                        evictedNodesGone.addAndGet(s.state.evictedNodes());
                        evictedContainersGone.addAndGet(s.state.evictedContainers());
                    }
                }
            }
        }
        return n;
    }

    /** Whether this engine holds a window for the cluster. */
    public boolean holds(String cluster) {
        return clusters.containsKey(cluster);
    }

    /** Whether this engine holds {@code incidentId} as an open incident of the cluster. */
    public boolean holdsOpen(String cluster, String incidentId) {
        ClusterSlot slot = clusters.get(cluster);
        if (slot == null) {
            return false;
        }
        synchronized (slot) {
            return slot.open.values().stream().anyMatch(o -> o.incidentId.equals(incidentId));
        }
    }

    /**
     * Same inputs, same id: the cluster, the rule, the event time the incident opened at and the
     * signal that completed its conditions.
     */
    static String incidentId(String cluster, String rule, Instant openedAt, String triggerId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h = sha.digest((cluster + '|' + rule + '|' + openedAt.toEpochMilli() + '|' + triggerId)
                    .getBytes(StandardCharsets.UTF_8));
            return "inc-" + HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each cluster's clock (see {@link ClusterState#now()}). */
    public Map<String, Instant> watermarks() {
        Map<String, Instant> out = new HashMap<>();
        clusters.forEach((c, s) -> {
            synchronized (s) {
                Instant w = s.state.now();
                if (w != null) {
                    out.put(c, w);
                }
            }
        });
        return out;
    }

    /**
     * Drops the windows of clusters that offered nothing for {@code idle} of the service's wall clock and have
     * no open incident (a cluster with one keeps its window: it must still resolve). Returns how many went.
     */
    public int evictIdle(Instant wallClock, Duration idle) {
        long horizon = wallClock.toEpochMilli() - idle.toMillis();
        int n = 0;
        for (Map.Entry<String, ClusterSlot> e : clusters.entrySet()) {
            ClusterSlot s = e.getValue();
            synchronized (s) {
                if (s.lastOffered != Long.MIN_VALUE && s.lastOffered < horizon && s.open.isEmpty()
                        && clusters.remove(e.getKey(), s)) {
                    n++;
                    evictedNodesGone.addAndGet(s.state.evictedNodes());
                    evictedContainersGone.addAndGet(s.state.evictedContainers());
                }
            }
        }
        evictedClusters.addAndGet(n);
        return n;
    }

    /** Evicted state: {@code cluster}, {@code node} or {@code container}. */
    public long evicted(String kind) {
        if ("cluster".equals(kind)) {
            return evictedClusters.get();
        }
        long n = "node".equals(kind) ? evictedNodesGone.get() : evictedContainersGone.get();
        for (ClusterSlot s : clusters.values()) {
            synchronized (s) {
                n += "node".equals(kind) ? s.state.evictedNodes() : s.state.evictedContainers();
            }
        }
        return n;
    }

    /** Evidence items left out of decisions by the limits. */
    public long evidenceLeftOut() {
        return evidenceLeftOut.get();
    }

    public int clusterCount() {
        return clusters.size();
    }

    /** Entries held in all windows; a gauge of the state's size. */
    public long stateEntries() {
        long n = 0;
        for (ClusterSlot s : clusters.values()) {
            synchronized (s) {
                n += s.state.entries();
            }
        }
        return n;
    }

    public long lateEvents() {
        return late.get();
    }

    public long duplicateEvents() {
        return duplicates.get();
    }

    /** Signals refused for a time more than {@code max-future} ahead of the service's wall clock. */
    public long aheadOfAnalyzerEvents() {
        return aheadOfAnalyzer.get();
    }

    /** Signals refused for a time more than {@code max-future} ahead of what their cluster's other sources say. */
    public long aheadOfClusterEvents() {
        return aheadOfCluster.get();
    }
}
