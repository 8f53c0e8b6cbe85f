package io.fleetdoctor.analyzer;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.fixtures.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analyzer as deployed: real broker, real database, signals in, incidents and decisions out. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class AnalyzerServiceTest {
    /** The API needs role viewer (demo user of the test profile). */
    static io.restassured.specification.RequestSpecification viewer() {
        return given().auth().preemptive().basic("viewer", "viewer-demo");
    }


    /** What a collector or an operator would do: plain Kafka clients against the shared broker. */
    @InjectKafka
    KafkaTestClient kafka;

    /** The seed trace with its cluster id (and so its event ids and sources) renamed. */
    private static List<String> seedTraceFor(String cluster) {
        return Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
    }

    private static Decision decision(ConsumerRecord<String, byte[]> r) {
        return EventCodec.decode(r.value()).as(Decision.class).data();
    }

    @Test
    void seedTraceOnTheTopicOpensOneIncidentAndPublishesOneDecision() {
        String cluster = "flow-1";
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS)) {
            kafka.sendAll(Topics.SIGNALS, cluster, seedTraceFor(cluster));

            List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                got.clear();
                got.addAll(decisions.withKey(cluster));
                return !got.isEmpty();
            });
            ConsumerRecord<String, byte[]> r = got.get(0);
            assertEquals(CloudEvent.CONTENT_TYPE, new String(r.headers().lastHeader("content-type").value(),
                    StandardCharsets.UTF_8));
            Decision d = decision(r);
            assertEquals(Decision.OPEN, d.status());
            assertEquals(List.of("eth0"), d.recommendation().iface());
            assertEquals("quay.io/coreos/flannel:v0.13.0", d.recommendation().targetImage());

            // the row was committed before the decision went out
            viewer().queryParam("cluster", cluster).get("/api/incidents").then().statusCode(200)
                    .body("total", equalTo(1)).body("items[0].incidentId", equalTo(d.incidentId()))
                    .body("items[0].status", equalTo("open"));
            viewer().get("/api/incidents/" + d.incidentId()).then().statusCode(200)
                    .body("cluster", equalTo(cluster))
                    .body("recommendation.iface", equalTo(List.of("eth0")))
                    .body("evidence.type", hasItem("process-io"))
                    .body("evidence.type", hasItem("node-interfaces"))
                    .body("history[0].status", equalTo("open"))
                    .body("history[0].kind", equalTo("OPEN"));
            // later restarts add evidence to the same incident; stored, not published
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> viewer().get("/api/incidents/" + d.incidentId())
                    .then().body("history.kind", hasItem("EVIDENCE"))
                    .body("summary", containsString("restarted 5 times")));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> viewer().get("/api/incidents/" + d.incidentId())
                    .then().body("history[0].published", equalTo(true)));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> decisions.withKey(cluster).size() == 1);

            // a successful remediation resolves it; the incident keeps what it was
            io.restassured.path.json.JsonPath before = viewer().get("/api/incidents/" + d.incidentId()).then()
                    .extract().jsonPath();
            assertNotEquals("info", before.getString("severity"));
            Remediation rem = new Remediation("plan-1", d.incidentId(), "SUCCEEDED", "VERIFYING", "system", "verified",
                    Instant.parse("2020-12-22T13:40:00Z"));
            kafka.sendAll(Topics.REMEDIATIONS, cluster, List.of(EventCodec.encodeToString(CloudEvent.of("rem-1",
                    "/remediator", rem.at(), cluster, null, rem))));
            await().atMost(Duration.ofSeconds(30)).until(() -> decisions.withKey(cluster).size() == 2);
            assertEquals(Decision.RESOLVED, decision(decisions.withKey(cluster).get(1)).status());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> viewer().get("/api/incidents/" + d.incidentId())
                    .then().body("status", equalTo("resolved"))
                    .body("history[-1].status", equalTo("resolved"))
                    .body("history[-1].published", equalTo(true))
                    .body("history[-1].summary", containsString("resolved"))
                    .body("severity", equalTo(before.getString("severity")))
                    .body("summary", equalTo(before.getString("summary")))
                    .body("evidence.size()", equalTo(before.getInt("evidence.size()")))
                    .body("resolvedAt", org.hamcrest.Matchers.notNullValue()));
        }
    }

    @Test
    void malformedRecordGoesToTheDeadLetterTopicAndConsumptionGoesOn() {
        String cluster = "dlq-1";
        try (var dlq = kafka.fromBeginning(Topics.SIGNALS_DLQ)) {
            List<String> trace = new ArrayList<>();
            trace.add("{this is not json");
            trace.add(seedTraceFor(cluster).get(0).replace("\"restartCount\":0", "\"restartCount\":-3"));
            trace.addAll(seedTraceFor(cluster));
            // a node whose clock says 2099, in the middle of the trace
            trace.add(300, trace.get(300).replaceFirst("\"id\":\"[^\"]*\"", "\"id\":\"far-ahead-1\"")
                    .replaceFirst("\"time\":\"[^\"]*\"", "\"time\":\"2099-01-01T00:00:00Z\""));
            kafka.sendAll(Topics.SIGNALS, cluster, trace);

            await().atMost(Duration.ofSeconds(60)).until(() -> dlq.withKey(cluster).size() == 3);
            List<ConsumerRecord<String, byte[]>> bad = dlq.withKey(cluster);
            assertEquals("{this is not json", new String(bad.get(0).value(), StandardCharsets.UTF_8));
            String reason = new String(bad.get(0).headers().lastHeader(Topics.DLQ_REASON_HEADER).value(),
                    StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("not JSON"), reason);
            assertEquals("data.restartCount: must be >= 0, was -3", new String(
                    bad.get(1).headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8));
            String ahead = new String(bad.get(2).headers().lastHeader(Topics.DLQ_REASON_HEADER).value(),
                    StandardCharsets.UTF_8);
            assertTrue(ahead.matches(
                    "time 2099-01-01T00:00:00Z is \\d+y ahead of the analyzer's clock \\(max-future 5m\\)"), ahead);

            // the good records after them were processed
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> viewer().queryParam("cluster", cluster)
                    .get("/api/incidents").then().body("total", equalTo(1)));
            given().get("/q/metrics").then().statusCode(200)
                    .body(containsString("fleetdoctor_signals_dlq_total"))
                    .body(containsString("fleetdoctor_signals_ahead_total{clock=\"analyzer\"} 1.0"))
                    .body(containsString("fleetdoctor_signals_consumed_total{type=\"io.fleetdoctor.signal.process-io.v1\"}"))
                    .body(containsString("fleetdoctor_window_entries"))
                    .body(containsString("fleetdoctor_incidents_opened_total"));
        }
    }

    @Test
    void theSameEventsDeliveredTwiceGiveOneIncident() {
        String cluster = "twice-1";
        List<String> trace = seedTraceFor(cluster);
        List<String> twice = new ArrayList<>();
        for (String line : trace) {
            twice.add(line);
            twice.add(line);
        }
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS)) {
            kafka.sendAll(Topics.SIGNALS, cluster, twice);
            kafka.sendAll(Topics.SIGNALS, cluster, trace); // and the whole trace once more
            await().atMost(Duration.ofSeconds(60)).until(() -> decisions.withKey(cluster).size() >= 1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> decisions.withKey(cluster).size() == 1);
        }
        viewer().queryParam("cluster", cluster).get("/api/incidents").then().body("total", equalTo(1));
    }

    @Test
    void restApiValidatesInputAndServesFleetSummaryOpenApiAndHealth() {
        viewer().queryParam("status", "exploded").get("/api/incidents").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400))
                .body("detail", containsString("status must be one of"));
        viewer().queryParam("size", 0).get("/api/incidents").then().statusCode(400)
                .contentType("application/problem+json");
        viewer().get("/api/incidents/inc-nope").then().statusCode(404).contentType("application/problem+json");
        viewer().get("/api/fleet/summary").then().statusCode(200).contentType(ContentType.JSON)
                .body("clustersSeen", greaterThanOrEqualTo(0));
        viewer().get("/q/openapi").then().statusCode(200).body(containsString("/api/incidents"))
                .body(containsString("/api/fleet/summary"));
        given().get("/q/health/ready").then().statusCode(200);
        viewer().get("/q/swagger-ui/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("swagger-ui"));
    }
}
