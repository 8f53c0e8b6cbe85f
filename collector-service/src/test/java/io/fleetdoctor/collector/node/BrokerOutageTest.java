package io.fleetdoctor.collector.node;

import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.Ports;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node agent with no reachable broker (the signals channel points at a closed port) and a tiny
 * emitter buffer: it keeps sampling, the buffer stays bounded (the overflow is dropped and counted),
 * nothing crashes.
 */
@QuarkusTest
@TestProfile(BrokerOutageTest.NoBroker.class)
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class BrokerOutageTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path fixture = Path.of("src/test/resources/node-fixture").toAbsolutePath();
            return Map.of(
                    "fleetdoctor.collector.mode", "node",
                    "fleetdoctor.collector.cluster-id", "it-outage",
                    "fleetdoctor.collector.node-name", "fixture-node",
                    "fleetdoctor.collector.procfs", fixture.resolve("proc").toString(),
                    "fleetdoctor.collector.sysfs", fixture.resolve("sys").toString(),
                    "fleetdoctor.collector.interval", "50ms",
                    "mp.messaging.outgoing.signals.bootstrap.servers", "127.0.0.1:" + Ports.free(),
                    "mp.messaging.emitter.default-buffer-size", "16",
                    "mp.messaging.outgoing.signals.max-inflight-messages", "4");
        }
    }

    @Test
    void samplingGoesOnWhileTheBrokerIsDown() {
        await().atMost(Duration.ofSeconds(60)).until(() -> metric("fleetdoctor_collector_signals_dropped_total") > 0);
        double ticks = metric("fleetdoctor_collector_node_ticks_total");
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("fleetdoctor_collector_node_ticks_total") > ticks + 10);
        assertEquals(0.0, metric("fleetdoctor_collector_signals_sent_total"));
        assertTrue(metric("fleetdoctor_collector_signals_dropped_total") > 0);
    }

    private static double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }
}
