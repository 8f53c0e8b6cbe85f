package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.analyzer.Scenario;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partition's rebuild (ingest.PartitionRebuild) at the engine: windows replayed without evaluating, incidents
 * adopted with their stored state, one evaluation at the end that emits only what differs from the store.
 */
class RebuildTest {

    private static AnalyzerEngine engine() {
        return Scenario.engine(Map.of());
    }

    /** The engine's last change of the incident: what the store holds for it. */
    private static EngineOutput stored(List<EngineOutput> outputs) {
        assertFalse(outputs.isEmpty(), "the scenario makes an incident");
        assertTrue(outputs.stream().noneMatch(o -> o.kind() == EngineOutput.Kind.RESOLVED), "still open");
        return outputs.get(outputs.size() - 1);
    }

    private static void adopt(AnalyzerEngine engine, EngineOutput s, double confidence) {
        Decision d = s.decision();
        engine.adoptOpen(s.cluster(), d.rule(), d.incidentId(), s.event().time(),
                Integer.parseInt(s.event().id().substring(s.event().id().lastIndexOf('-') + 1)), d.severity(),
                confidence, d.recommendation(), d.evidence());
    }

    private static String rebuild(AnalyzerEngine engine, List<CloudEvent<?>> events) {
        for (CloudEvent<?> e : events) {
            assertTrue(engine.rebuild(e, null).outputs().isEmpty(), "no rule is evaluated while rebuilding");
        }
        return events.get(events.size() - 1).id();
    }

    @Test
    void replayOfWhatIsStoredEmitsNothing() {
        Scenario s = Scenario.incident("rb-same");
        EngineOutput st = stored(s.run(engine()));

        AnalyzerEngine owner = engine();
        adopt(owner, st, st.decision().confidence());
        String last = rebuild(owner, s.sorted());
        assertEquals(List.of(), owner.evaluateCluster(s.cluster, last), "equal to the stored state: nothing new");

        // what adoption without the stored state did (restoreOpen): the same window looked like a change
        AnalyzerEngine bare = engine();
        bare.restoreOpen(st.cluster(), st.decision().rule(), st.decision().incidentId(), st.event().time(), 1);
        rebuild(bare, s.sorted());
        assertFalse(Scenario.published(bare.evaluateCluster(s.cluster, last)).isEmpty());
    }

    @Test
    void aChangeTheStoreDoesNotHoldIsEmittedOnce() {
        Scenario s = Scenario.incident("rb-change");
        EngineOutput st = stored(s.run(engine()));
        int seq = Integer.parseInt(st.event().id().substring(st.event().id().lastIndexOf('-') + 1));

        AnalyzerEngine owner = engine();
        adopt(owner, st, st.decision().confidence() - 0.3); // the previous owner stored an older confidence
        String last = rebuild(owner, s.sorted());
        List<EngineOutput> out = owner.evaluateCluster(s.cluster, last);
        assertEquals(1, out.size(), out.toString());
        assertEquals(EngineOutput.Kind.UPDATED, out.get(0).kind());
        assertTrue(out.get(0).publish());
        assertEquals(st.decision().incidentId() + "-" + (seq + 1), out.get(0).event().id(), "the next decision number");
        assertEquals(List.of(), owner.evaluateCluster(s.cluster, last), "and only once");
    }

    @Test
    void aHalfFullWindowRebuiltCompletesTheSameIncidentWithItsEarlyEvidence() {
        Scenario s = Scenario.incident("rb-half");
        List<CloudEvent<?>> events = s.sorted();
        AnalyzerEngine reference = engine();
        int k = -1;
        EngineOutput open = null;
        for (int i = 0; i < events.size() && open == null; i++) {
            List<EngineOutput> out = reference.accept(events.get(i));
            if (!out.isEmpty()) {
                k = i;
                open = out.get(0);
            }
        }
        assertTrue(open != null && k > 10, "the incident opens late in the trace");

        AnalyzerEngine owner = engine();
        String last = rebuild(owner, events.subList(0, k));
        assertEquals(List.of(), owner.evaluateCluster(s.cluster, last), "half a window decides nothing");
        List<EngineOutput> after = new java.util.ArrayList<>();
        for (CloudEvent<?> e : events.subList(k, events.size())) {
            after.addAll(owner.accept(e));
        }
        List<EngineOutput> opened = after.stream().filter(o -> o.kind() == EngineOutput.Kind.OPEN).toList();
        assertEquals(1, opened.size());
        assertEquals(open.decision().incidentId(), opened.get(0).decision().incidentId(), "the same incident id");
        assertEquals(open.decision().evidence(), opened.get(0).decision().evidence());

        // without the rebuild the second half alone does not make that incident
        AnalyzerEngine empty = engine();
        List<EngineOutput> alone = new java.util.ArrayList<>();
        for (CloudEvent<?> e : events.subList(k, events.size())) {
            alone.addAll(empty.accept(e));
        }
        List<Decision.Evidence> early = open.decision().evidence();
        assertTrue(alone.stream().noneMatch(o -> o.decision().evidence().equals(early)
                && o.kind() == EngineOutput.Kind.OPEN), "the early evidence came from the rebuild");
    }

    @Test
    void anAdoptedIncidentResolvesWhenTheSinglePassWouldNotEarlierThanItsStoredTime() {
        // the conditions stop holding about 30 min after the last restart; heartbeats go on to minute 50
        Scenario s = Scenario.incident("rb-resolve").heartbeats(java.time.Duration.ZERO, java.time.Duration.ofMinutes(50));
        List<EngineOutput> reference = s.run(engine());
        EngineOutput st = stored(reference);
        java.time.Instant end = s.sorted().get(s.sorted().size() - 1).time();
        assertTrue(st.event().time().plus(java.time.Duration.ofMinutes(30)).isBefore(end),
                "the stored time alone would resolve it by the end: " + st.event().time());

        AnalyzerEngine owner = engine();
        adopt(owner, st, st.decision().confidence());
        String last = rebuild(owner, s.sorted());
        assertEquals(List.of(), owner.evaluateCluster(s.cluster, last), "still open, as in the single pass");
    }

    @Test
    void dropRemovesTheWindowsAndIncidentsOfTheMatchingClustersOnly() {
        AnalyzerEngine engine = engine();
        Scenario a = Scenario.incident("rb-a");
        Scenario b = Scenario.incident("rb-b");
        a.run(engine);
        b.run(engine);
        assertTrue(engine.holds("rb-a") && engine.holds("rb-b"));

        assertEquals(1, engine.drop("rb-a"::equals));
        assertFalse(engine.holds("rb-a"));
        assertTrue(engine.holds("rb-b"));
        assertFalse(engine.watermarks().containsKey("rb-a"));
        assertEquals(List.of(), engine.evaluateCluster("rb-a", "x"), "nothing held, nothing decided");

        // a later assignment rebuilds it cleanly: the incident is opened again only if it is not adopted
        List<EngineOutput> again = a.run(engine);
        assertNotEquals(List.of(), again, "a fresh window with no adopted incident opens one (the store dedups it)");
    }
}
