package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.analyzer.Scenario;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.PodRestart;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Scenario s = Scenario.incident("ooo");
        List<CloudEvent<?>> events = new ArrayList<>(s.sorted());
        // hold back the third restart (12m) until 50 s of later samples have arrived
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

        // far too late: dropped and counted
        AnalyzerEngine strict = Scenario.engine(Map.of());
        Scenario s2 = Scenario.incident("late");
        List<CloudEvent<?>> ev2 = new ArrayList<>(s2.sorted());
        CloudEvent<?> t2 = ev2.stream().filter(e -> e.data() instanceof PodRestart p && p.restartCount() == 2)
                .findFirst().orElseThrow();
        ev2.remove(t2);
        List<EngineOutput> out2 = new ArrayList<>();
        ev2.forEach(e -> out2.addAll(strict.accept(e)));
        out2.addAll(strict.accept(t2)); // 8 minutes behind the watermark
        assertEquals(List.of(), Scenario.published(out2));
        assertEquals(1, strict.lateEvents());
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
