package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.playbook.Finding;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.analyzer.window.ClusterState;
import io.fleetdoctor.analyzer.window.WindowSettings;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * deterministic: decisions depend only on the events and their event times, never on the wall clock.
 * Thread-safe; work for one cluster is serialised on that cluster's state.
 */
public final class AnalyzerEngine {
    private final List<Rule> rules;
    private final Function<String, WindowSettings> windowSettings;
    private final Map<String, ClusterSlot> clusters = new ConcurrentHashMap<>();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    public AnalyzerEngine(List<Rule> rules, Function<String, WindowSettings> windowSettings) {
        this.rules = List.copyOf(rules);
        this.windowSettings = windowSettings;
    }

    private static final class ClusterSlot {
        final ClusterState state;
        final Map<String, Open> open = new HashMap<>();

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

    /** Applies one signal and returns the incident changes it caused (usually none). */
    public List<EngineOutput> accept(CloudEvent<?> event) {
        if (!event.type().isSignal()) {
            return List.of();
        }
        ClusterSlot slot = clusters.computeIfAbsent(event.cluster(),
                c -> new ClusterSlot(new ClusterState(c, windowSettings.apply(c))));
        synchronized (slot) {
            ClusterState.Outcome outcome = slot.state.apply(event);
            if (outcome == ClusterState.Outcome.LATE) {
                late.incrementAndGet();
                return List.of();
            }
            if (outcome == ClusterState.Outcome.DUPLICATE) {
                duplicates.incrementAndGet();
                return List.of();
            }
            return evaluate(slot, event.id());
        }
    }

    private List<EngineOutput> evaluate(ClusterSlot slot, String triggerId) {
        Instant now = slot.state.watermark();
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
        open.evidence = f.evidence();
        Decision d = new Decision(open.incidentId, rule.id(), status, f.severity(), f.confidence(), f.summary(),
                f.evidence(), f.recommendation());
        return new EngineOutput(kind, event(slot.state.cluster(), open, d, now), publish);
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
     * seen so far stop counting, so the old evidence still in the window cannot reopen it.
     */
    public List<EngineOutput> remediationSucceeded(String cluster, String incidentId, Instant at) {
        ClusterSlot slot = clusters.get(cluster);
        if (slot == null) {
            return List.of();
        }
        synchronized (slot) {
            Instant now = slot.state.watermark() == null || slot.state.watermark().isBefore(at) ? at
                    : slot.state.watermark();
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

    /** Newest event time per cluster. */
    public Map<String, Instant> watermarks() {
        Map<String, Instant> out = new HashMap<>();
        clusters.forEach((c, s) -> {
            synchronized (s) {
                Instant w = s.state.watermark();
                if (w != null) {
                    out.put(c, w);
                }
            }
        });
        return out;
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
}
