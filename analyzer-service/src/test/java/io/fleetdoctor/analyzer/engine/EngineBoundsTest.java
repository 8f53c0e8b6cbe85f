package io.fleetdoctor.analyzer.engine;

import io.fleetdoctor.analyzer.Scenario;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.PodRestart;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the engine holds and sends stays bounded whatever the fleet does. */
class EngineBoundsTest {

    private static Decision opened(List<EngineOutput> out) {
        return Scenario.published(out).get(0).decision();
    }

    @Test
    void evidenceIsCappedRoundRobinOverTypesAndTheSummarySaysHowManyWereLeftOut() {
        Decision full = opened(Scenario.incident("ev-full").run());
        int all = full.evidence().size();
        assertTrue(all > 4, "the seed incident has more than 4 evidence items: " + all);

        AnalyzerEngine engine = Scenario.engine(Map.of("fleetdoctor.analyzer.max-evidence", "4"));
        Decision capped = opened(Scenario.incident("ev-capped").run(engine));
        assertEquals(4, capped.evidence().size());
        assertTrue(capped.summary().endsWith("(evidence: 4 of " + all + " items shown)"), capped.summary());
        long types = full.evidence().stream().map(Decision.Evidence::type).distinct().count();
        assertEquals(Math.min(4, types), capped.evidence().stream().map(Decision.Evidence::type).distinct().count(),
                "each evidence type is represented before any type gets a second item");
        assertTrue(engine.evidenceLeftOut() >= all - 4, "counted: " + engine.evidenceLeftOut());
    }

    @Test
    void aDecisionOverTheByteLimitIsSentWithFewerItemsUntilItFits() {
        int full = EventCodec.encode(Scenario.published(Scenario.incident("ev-bytes").run()).get(0).event()).length;
        int limit = full - 1;
        AnalyzerEngine engine = Scenario.engine(Map.of("fleetdoctor.analyzer.max-decision-bytes", Integer.toString(limit)));
        EngineOutput o = Scenario.published(Scenario.incident("ev-bytes").run(engine)).get(0);
        int size = EventCodec.encode(o.event()).length;
        assertTrue(size <= limit, "encoded decision is " + size + " bytes, limit " + limit);
        assertTrue(o.decision().summary().contains("items shown)"), o.decision().summary());
        assertTrue(o.event().id().endsWith("-1"), "shrinking does not skip sequence numbers: " + o.event().id());
    }

    @Test
    void cyclingNodeAndPodNamesDoNotGrowTheWindow() {
        AnalyzerEngine engine = Scenario.engine(Map.of("fleetdoctor.analyzer.idle", "1h"));
        Instant t0 = Scenario.T0;
        // 20,000 node agents and pods, each heard once, a new one every 2 s of cluster time (about 11 h)
        for (int i = 0; i < 20_000; i++) {
            Instant t = t0.plusSeconds(2L * i);
            String node = "node-" + i;
            engine.accept(CloudEvent.of("hb-" + i, CloudEvent.agentSource("churn", node), t, "churn", null,
                    new Heartbeat(Heartbeat.NODE_AGENT, node)));
            engine.accept(CloudEvent.of("rs-" + i, "/clusters/churn/collector", t, "churn", "pod/" + node,
                    new PodRestart("kube-system", "kube-flannel-ds-" + i, "kube-flannel", node, "flannel", false, 0, null)));
        }
        long entries = engine.stateEntries();
        // an hour (plus the lateness and one prune interval) at one node every 2 s is about 2,000 nodes and
        // as many containers; without eviction it is 40,000
        assertTrue(entries < 5_000, "entries held: " + entries);
        assertTrue(engine.evicted("node") > 15_000, "nodes evicted: " + engine.evicted("node"));
        assertTrue(engine.evicted("container") > 15_000, "containers evicted: " + engine.evicted("container"));
    }

    @Test
    void quietClustersAreDroppedButOneWithAnOpenIncidentStays() {
        AnalyzerEngine engine = Scenario.engine(Map.of());
        Instant wall = Instant.parse("2020-12-22T14:00:00Z");
        for (CloudEvent<?> e : Scenario.incident("keeps-incident").sorted()) {
            engine.offer(e, wall);
        }
        engine.offer(CloudEvent.of("hb-q", "/clusters/quiet/collector", Scenario.T0, "quiet", null,
                new Heartbeat(Heartbeat.CLUSTER_WATCHER, null)), wall);
        assertEquals(2, engine.clusterCount());

        assertEquals(0, engine.evictIdle(wall.plus(Duration.ofMinutes(59)), Duration.ofHours(1)));
        assertEquals(1, engine.evictIdle(wall.plus(Duration.ofMinutes(61)), Duration.ofHours(1)));
        assertEquals(java.util.Set.of("keeps-incident"), engine.watermarks().keySet());
        assertEquals(1, engine.evicted("cluster"));
    }

    @Test
    void aRefusedFarFutureEventCreatesNoWindow() {
        AnalyzerEngine engine = Scenario.engine(Map.of());
        Instant wall = Instant.parse("2026-06-01T12:00:00Z");
        for (int i = 0; i < 1000; i++) {
            engine.offer(CloudEvent.of("f-" + i, "/clusters/c" + i + "/collector", Instant.parse("2099-01-01T00:00:00Z"),
                    "c" + i, null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null)), wall);
        }
        assertEquals(0, engine.clusterCount());
        assertEquals(1000, engine.aheadOfAnalyzerEvents());
    }
}
