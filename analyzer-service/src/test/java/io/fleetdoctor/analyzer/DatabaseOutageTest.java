package io.fleetdoctor.analyzer;

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
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault test: the real PostgreSQL stopped for {@link #OUTAGE} while the seed incident completes. The
 * analyzer must stop, say so on readiness, and after the database is back store and publish the one
 * decision it held, exactly once. Before, it gave up after ~35 s and acknowledged the batch.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class DatabaseOutageTest {
    /** The API needs role viewer (demo user of the test profile). */
    static io.restassured.specification.RequestSpecification viewer() {
        return given().auth().preemptive().basic("viewer", "viewer-demo");
    }

    static final Duration OUTAGE = Duration.ofSeconds(60);

    @InjectKafka
    KafkaTestClient kafka;

    @Test
    void incidentCompletingDuringAPostgresOutageIsStoredAndPublishedOnceAfterIt() {
        String cluster = "pg-outage-1";
        List<String> trace = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        var pg = SharedInfra.get().postgres();
        try (var decisions = kafka.fromBeginning(Topics.DECISIONS)) {
            // ready before the outage (a test before this one may have left the consumers rebalancing)
            await("ready before the outage").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
            pg.stopServer();
            Instant stopped = Instant.now();
            try {
                kafka.sendAll(Topics.SIGNALS, cluster, trace);
                await("readiness DOWN while the change waits").atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                                .body(containsString("database-unavailable-since")));
                Duration left = OUTAGE.minus(Duration.between(stopped, Instant.now()));
                if (!left.isNegative()) {
                    await().pollDelay(left).atMost(left.plusSeconds(5)).until(() -> true);
                }
                assertTrue(decisions.withKey(cluster).isEmpty(), "nothing published while the database is away");
                given().get("/q/health/ready").then().statusCode(503);
            } finally {
                pg.restartServer();
            }

            await("the held decision after the outage").atMost(Duration.ofSeconds(90))
                    .until(() -> !decisions.withKey(cluster).isEmpty());
            Decision d = EventCodec.decode(decisions.withKey(cluster).get(0).value()).as(Decision.class).data();
            assertEquals(Decision.OPEN, d.status());
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> decisions.withKey(cluster).size() == 1);
            viewer().queryParam("cluster", cluster).get("/api/incidents").then().statusCode(200)
                    .body("total", equalTo(1)).body("items[0].incidentId", equalTo(d.incidentId()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        }
    }
}
