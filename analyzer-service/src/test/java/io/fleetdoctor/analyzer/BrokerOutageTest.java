package io.fleetdoctor.analyzer;

import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.replay.ReplayMain;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault test: the real broker stopped for {@link #OUTAGE} in the middle of the seed incident (after the signals
 * that do not complete it yet, before the one that does). After the restart the analyzer must reconnect, take
 * the rest, and publish exactly one decision: nothing lost from before the outage, nothing doubled.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class BrokerOutageTest {
    static final Duration OUTAGE = Duration.ofSeconds(20);

    @InjectKafka
    KafkaTestClient kafka;
    @jakarta.inject.Inject
    io.fleetdoctor.analyzer.ingest.Analysis analysis;

    /** The index of the first line after which the engine decides (found with the same engine, offline). */
    static int completingLine(List<String> trace) throws Exception {
        AnalyzerEngine engine = ReplayMain.registry(null, Map.of()).engine();
        for (int i = 0; i < trace.size(); i++) {
            if (!engine.accept(EventCodec.decode(trace.get(i))).isEmpty()) {
                return i;
            }
        }
        throw new AssertionError("the seed trace never decides");
    }

    @Test
    void brokerStoppedMidIncidentLosesNothingAndDoublesNothing() throws Exception {
        String cluster = "broker-outage-1";
        List<String> trace = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        int k = completingLine(trace);
        assertTrue(k > 10, "the incident completes late in the trace: line " + k);

        var broker = SharedInfra.get().kafka();
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS)) {
            kafka.sendAll(Topics.SIGNALS, cluster, trace.subList(0, k));
            // the first part is consumed (the analyzer's clock for the cluster moved) and decides nothing
            await().atMost(Duration.ofSeconds(60)).until(() -> analysis.liveWatermarks().containsKey(cluster));
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertTrue(decisions.withKey(cluster).isEmpty(), "no decision before the completing signal");

            broker.stopBroker();
            try {
                await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> true);
            } finally {
                broker.restartBroker();
            }
            kafka.sendAll(Topics.SIGNALS, cluster, trace.subList(k, trace.size()));

            await("the decision after the outage").atMost(Duration.ofSeconds(120))
                    .until(() -> !decisions.withKey(cluster).isEmpty());
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> decisions.withKey(cluster).size() == 1);
            Decision d = EventCodec.decode(decisions.withKey(cluster).get(0).value()).as(Decision.class).data();
            assertEquals(Decision.OPEN, d.status());
            DatabaseOutageTest.viewer().queryParam("cluster", cluster).get("/api/incidents").then().statusCode(200)
                    .body("total", equalTo(1));
        }
    }
}
