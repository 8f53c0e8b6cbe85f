package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.analyzer.Scenario;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.PodRestart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzerEngineTest {

    @Test
    void sameTraceGivesSameDecisionsAndIncidentId() {
        List<EngineOutput> a = Scenario.incident("det").run();
        List<EngineOutput> b = Scenario.incident("det").run();
        assertEquals(a, b);
        assertEquals(1, Scenario.published(a).size());
        assertTrue(a.get(0).decision().incidentId().startsWith("inc-"));
    }

    @Test
    void duplicatesCountOnce() {
        Scenario s = Scenario.incident("dups");
        List<CloudEvent<?>> twice = new ArrayList<>();
        for (CloudEvent<?> e : s.sorted()) {
            twice.add(e);
            twice.add(e); // redelivered: same id
        }
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> out = new ArrayList<>();
        twice.forEach(e -> out.addAll(engine.accept(e)));
        assertEquals(1, Scenario.published(out).size());
        assertEquals(Scenario.published(Scenario.incident("dups").run()), Scenario.published(out));

        // two restart events redelivered do not add up to the threshold on their own
        Scenario few = new Scenario("dup-restarts");
        few.baseline("kube-controller-manager", 0)
                .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq"), Map.of())
                .twoNicNodes("eth0", "eth0", "eth0")
                .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", Scenario.SPIKE, "master01")
                .restart(Duration.ofMinutes(3), "kube-controller-manager", 1)
                .restart(Duration.ofMinutes(6), "kube-controller-manager", 2);
        AnalyzerEngine e2 = Scenario.engine(Map.of());
        List<EngineOutput> out2 = new ArrayList<>();
        for (CloudEvent<?> e : few.sorted()) {
            for (int i = 0; i < 3; i++) {
                out2.addAll(e2.accept(e));
            }
        }
        assertEquals(List.of(), out2);
    }

    @Test
    void eventsUpToSixtySecondsOutOfOrderStillCount() {
        Scenario s = Scenario.incident("ooo").heartbeats(Duration.ZERO, Duration.ofMinutes(21));
        List<CloudEvent<?>> events = new ArrayList<>(s.sorted());
        // hold back the third restart (12m) until 50 s of later samples (and the collector's 12:30
        // heartbeat) have arrived
        CloudEvent<?> third = events.stream().filter(e -> e.data() instanceof PodRestart p
                && p.restartCount() == 2).findFirst().orElseThrow();
        events.remove(third);
        int at = 0;
        while (at < events.size() && !events.get(at).time().isAfter(third.time().plusSeconds(50))) {
            at++;
        }
        events.add(at, third);
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> out = new ArrayList<>();
        events.forEach(e -> out.addAll(engine.accept(e)));
        assertEquals(1, Scenario.published(out).size());
        assertEquals(0, engine.lateEvents());
    }

    @Test
    void lateIsJudgedPerSource() {
        // the collector heartbeats on: its third restart (12m), delivered after its 20m heartbeat, is 8
        // minutes behind its own source: dropped and counted
        Scenario s = Scenario.incident("late").heartbeats(Duration.ZERO, Duration.ofMinutes(21));
        List<CloudEvent<?>> events = new ArrayList<>(s.sorted());
        CloudEvent<?> third = events.stream().filter(e -> e.data() instanceof PodRestart p && p.restartCount() == 2)
                .findFirst().orElseThrow();
        events.remove(third);
        events.add(third);
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> out = new ArrayList<>();
        events.forEach(e -> out.addAll(engine.accept(e)));
        assertEquals(List.of(), Scenario.published(out));
        assertEquals(1, engine.lateEvents());

        // a collector that sent nothing since 7m: its 12m restart is its newest event, not late, however
        // far the node agents have moved on
        Scenario quiet = Scenario.incident("quiet");
        List<CloudEvent<?>> ev2 = new ArrayList<>(quiet.sorted());
        CloudEvent<?> t2 = ev2.stream().filter(e -> e.data() instanceof PodRestart p && p.restartCount() == 2)
                .findFirst().orElseThrow();
        ev2.remove(t2);
        ev2.add(t2);
        AnalyzerEngine e2 = Scenario.engine(Map.of());
        List<EngineOutput> out2 = new ArrayList<>();
        ev2.forEach(e -> out2.addAll(e2.accept(e)));
        assertEquals(1, Scenario.published(out2).size());
        assertEquals(0, e2.lateEvents());
    }

    @Test
    void resolvesWhenConditionsStayFalseForThirtyMinutesOfEventTime() {
        Scenario s = Scenario.incident("resolve");
        // quiet afterwards: heartbeats carry event time on
        for (int m = 21; m <= 120; m++) {
            s.heartbeat(Duration.ofMinutes(m));
        }
        List<EngineOutput> out = Scenario.published(s.run());
        assertEquals(List.of(Decision.OPEN, Decision.RESOLVED), out.stream().map(o -> o.decision().status()).toList());
        assertEquals(out.get(0).decision().incidentId(), out.get(1).decision().incidentId());
        // the restart at 2m leaves the 30m window at 32m: conditions last true at the 31m heartbeat,
        // so the incident resolves at the first event 30m later
        assertEquals(Scenario.T0.plus(Duration.ofMinutes(61)), out.get(1).event().time());
    }

    @Test
    void newEvidenceUpdatesTheOpenIncidentAndNeverOpensASecond() {
        Scenario s = Scenario.incident("one-open")
                .restart(Duration.ofMinutes(15), "kube-scheduler", 2)
                .restart(Duration.ofMinutes(18), "kube-controller-manager", 3);
        List<EngineOutput> all = s.run();
        assertEquals(1, all.stream().filter(o -> o.kind() == EngineOutput.Kind.OPEN).count());
        assertTrue(all.stream().anyMatch(o -> o.kind() == EngineOutput.Kind.EVIDENCE && !o.publish()));
        assertEquals(1, all.stream().map(o -> o.decision().incidentId()).distinct().count());
    }

    @Test
    void remediationSuccessResolvesAndOldEvidenceCannotReopen() {
        Scenario s = Scenario.incident("fixed");
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> out = new ArrayList<>(s.run(engine));
        String id = out.get(0).decision().incidentId();
        out.addAll(engine.remediationSucceeded("fixed", id, Scenario.T0.plus(Duration.ofMinutes(20))));
        // old restarts and spikes are still inside the window, but no longer count
        Scenario later = new Scenario("fixed");
        later.heartbeat(Duration.ofMinutes(21)).heartbeat(Duration.ofMinutes(25));
        out.addAll(later.run(engine));
        List<String> statuses = Scenario.published(out).stream().map(o -> o.decision().status()).toList();
        assertEquals(List.of(Decision.OPEN, Decision.RESOLVED), statuses);
    }

    // ------------------------------------------------------------------ clocks

    /** The seed incident with the collector and every agent heartbeating every 30 s, as deployed, for 90 minutes. */
    private static Scenario live(String cluster) {
        return Scenario.incident(cluster).heartbeats(Duration.ZERO, Duration.ofMinutes(90));
    }

    /** Runs the scenario as the service would (wall clock null: replay, or a trace in the past). */
    private record Run(List<EngineOutput> published, List<String> late, List<String> ahead) {
        EngineOutput first(String status) {
            return published.stream().filter(o -> o.decision().status().equals(status)).findFirst().orElse(null);
        }
    }

    private static Run run(Scenario s) {
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> out = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> ahead = new ArrayList<>();
        for (CloudEvent<?> e : s.sorted()) {
            AnalyzerEngine.Intake in = engine.offer(e, null);
            out.addAll(in.outputs());
            if (in.outcome() == AnalyzerEngine.Outcome.LATE) {
                late.add(e.source());
            } else if (in.outcome() == AnalyzerEngine.Outcome.AHEAD) {
                ahead.add(e.source());
                assertTrue(in.reason().contains("ahead of cluster " + s.cluster + "'s clock"), in.reason());
            }
        }
        assertEquals(late.size(), engine.lateEvents());
        assertEquals(ahead.size(), engine.aheadOfClusterEvents());
        return new Run(Scenario.published(out), late, ahead);
    }

    @ParameterizedTest(name = "{0} {1}: its events {2}, resolved {3}")
    @CsvSource({
            // a node agent ahead within max-future: taken, its samples count as at the cluster's clock
            "master01,  PT3M,   applied, same",
            // beyond max-future: refused (the service dead-letters them); the other nodes carry the detection
            "master01,  PT10M,  refused, same",
            // behind: taken where their time says (they may as well be late deliveries)
            "master01,  -PT10M, applied, same",
            "node02,    PT3M,   applied, same",
            "node02,    PT10M,  refused, same",
            "node02,    -PT10M, applied, same",
            // the collector ahead: its restarts count as at the cluster's clock, leave the window later
            "collector, PT3M,   applied, 3m later",
            // the collector behind: its restarts leave the window as early as they are stamped
            "collector, -PT10M, applied, 10m earlier",
    })
    void aSkewedSourceNeitherDelaysNorPreventsDetectionNorMovesTheClusterClock(String who, Duration skew,
                                                                               String events, String resolved) {
        Run correct = run(live("skew"));
        Scenario skewed = live("skew");
        skewed.skew(skewed.source(who), skew);
        Run r = run(skewed);

        // detected at the same point: same event time, same triggering signal (hence the same id)
        EngineOutput open = correct.first(Decision.OPEN);
        assertEquals(Scenario.T0.plus(Duration.ofMinutes(12)), open.event().time());
        assertEquals(open.event().time(), r.first(Decision.OPEN).event().time());
        assertEquals(open.decision().incidentId(), r.first(Decision.OPEN).decision().incidentId());
        // nothing late, nothing refused from the sources whose clocks are right
        assertEquals(List.of(), r.late);
        if (events.equals("refused")) {
            assertFalse(r.ahead.isEmpty());
            assertEquals(Set.of(skewed.source(who)), Set.copyOf(r.ahead));
        } else {
            assertEquals(List.of(), r.ahead);
        }
        // resolution counts on the cluster's clock: a skewed node never moves it
        Duration shift = Duration.between(correct.first(Decision.RESOLVED).event().time(),
                r.first(Decision.RESOLVED).event().time());
        assertEquals(resolved, shift.isZero() ? "same" : shift.isNegative()
                ? shift.negated().toMinutes() + "m earlier" : shift.toMinutes() + "m later");
        assertEquals(List.of(Decision.OPEN, Decision.RESOLVED),
                r.published.stream().map(o -> o.decision().status()).toList());
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
            "master01,  PT0S",   // the very first event of the cluster
            "master01,  PT10M",  // before the detection
            "collector, PT10M",
            "collector, PT12M",  // just before the third restart, from the same source
            "node02,    PT20M",  // the incident open
            "collector, PT40M",  // conditions false, before the resolution is due
    })
    void oneEventStamped2099NeitherBlindsNorResolves(String who, Duration at) {
        Run correct = run(live("y2099"));
        Scenario s = live("y2099");
        s.stamped(at.isZero() ? Duration.ofSeconds(-1) : at, Instant.parse("2099-01-01T00:00:00Z"), s.source(who),
                null, new Heartbeat(who.equals("collector") ? Heartbeat.CLUSTER_WATCHER : Heartbeat.NODE_AGENT,
                        who.equals("collector") ? null : who));
        Run r = run(s);
        assertEquals(correct.published, r.published); // same decisions, same times, same ids
        assertEquals(List.of(), r.late);               // nothing of that source (or any other) is late after it
        // refused, unless it was the cluster's first event (nothing to compare with: then the next source
        // overrules it)
        assertEquals(at.isZero() ? List.of() : List.of(s.source(who)), r.ahead);
    }

    @Test
    void whenMostSourcesGoQuietTheRestCarryTheClock() {
        // the agents stop at 20m; the collector goes on alone: after source-idle (2m of its time) the
        // quiet agents stop counting and the collector's time is the cluster's
        Scenario s = Scenario.incident("carry").heartbeats(Duration.ZERO, Duration.ofMinutes(20));
        for (int sec = 20 * 60; sec <= 120 * 60; sec += 30) {
            s.heartbeat(Duration.ofSeconds(sec));
        }
        Run r = run(s);
        assertEquals(List.of(Decision.OPEN, Decision.RESOLVED),
                r.published.stream().map(o -> o.decision().status()).toList());
        assertEquals(List.of(), r.ahead);
        // the 2m restart leaves the 30m window at 32m: resolved 30m after the last time it was true
        assertEquals(Scenario.T0.plus(Duration.ofSeconds(61 * 60 + 30)), r.first(Decision.RESOLVED).event().time());
    }

    @Test
    void theServicesWallClockBoundsEventTimesToo() {
        AnalyzerEngine engine = Scenario.engine(Map.of());
        Instant wall = Instant.parse("2026-06-01T12:00:00Z");
        CloudEvent<?> e = CloudEvent.of("hb-1", "/clusters/wall/collector", Instant.parse("2099-01-01T00:00:00Z"),
                "wall", null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null));
        AnalyzerEngine.Intake in = engine.offer(e, wall);
        assertEquals(AnalyzerEngine.Outcome.AHEAD, in.outcome());
        assertEquals("time 2099-01-01T00:00:00Z is 72y ahead of the analyzer's clock (max-future 5m)", in.reason());
        assertEquals(1, engine.aheadOfAnalyzerEvents());
        assertEquals(Map.of(), engine.watermarks()); // the cluster's clock did not start on it
        // within max-future of the wall clock: taken
        CloudEvent<?> ok = CloudEvent.of("hb-2", "/clusters/wall/collector", wall.plus(Duration.ofMinutes(4)),
                "wall", null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null));
        assertEquals(AnalyzerEngine.Outcome.APPLIED, engine.offer(ok, wall).outcome());
    }

    @Test
    void aRemediatorClockAheadCannotBlindTheWindow() {
        Scenario s = live("rem-ahead")
                .restart(Duration.ofMinutes(30), "kube-controller-manager", 3)
                .restart(Duration.ofMinutes(31), "kube-scheduler", 2)
                .restart(Duration.ofMinutes(32), "kube-controller-manager", 4);
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<CloudEvent<?>> events = s.sorted();
        List<EngineOutput> out = new ArrayList<>();
        int i = 0;
        while (out.isEmpty()) {
            out.addAll(engine.accept(events.get(i++)));
        }
        // "succeeded" stamped 2099: the evidence reset and the resolution count at most max-future ahead
        // of the cluster's clock (12m)
        List<EngineOutput> resolved = engine.remediationSucceeded("rem-ahead", out.get(0).decision().incidentId(),
                Instant.parse("2099-01-01T00:00:00Z"));
        assertEquals(Scenario.T0.plus(Duration.ofMinutes(17)), resolved.get(0).event().time());
        // so a new restart burst after that is seen
        List<EngineOutput> later = new ArrayList<>();
        events.subList(i, events.size()).forEach(e -> later.addAll(engine.accept(e)));
        List<EngineOutput> opened = Scenario.published(later);
        assertEquals(List.of(Decision.OPEN), opened.stream().map(o -> o.decision().status()).toList().subList(0, 1));
        assertEquals(Scenario.T0.plus(Duration.ofMinutes(32)), opened.get(0).event().time());
    }

    @Test
    void clustersAreIndependent() {
        AnalyzerEngine engine = Scenario.engine(Map.of());
        List<EngineOutput> a = Scenario.incident("a").run(engine);
        List<EngineOutput> b = Scenario.incident("b").run(engine);
        assertEquals(1, Scenario.published(a).size());
        assertEquals(1, Scenario.published(b).size());
        assertNotEquals(a.get(0).decision().incidentId(), b.get(0).decision().incidentId());
        assertEquals(2, engine.clusterCount());
    }
}
