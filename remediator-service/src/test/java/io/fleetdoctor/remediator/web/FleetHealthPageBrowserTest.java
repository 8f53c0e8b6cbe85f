package io.fleetdoctor.remediator.web;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fleet health view in a real headless Chromium: four clusters send heartbeats over the real topic (a cluster
 * watcher and two node agents each), one of them goes quiet; without a reload the page shows three reporting and
 * the quiet one STALE, its agents too (stale-after is 6 s in tests).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class FleetHealthPageBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/ui/")
    URL ui;
    @InjectKafka
    KafkaTestClient kafka;

    Browser browser;
    ScheduledExecutorService beats;

    @BeforeEach
    void startBrowser() throws Exception {
        if (Browser.skipRequested()) {
            Assumptions.abort("browser test skipped on request (-Dfleetdoctor.browser=skip)");
        }
        String missing = Browser.missing();
        if (missing != null) {
            fail("the fleet page browser test needs Chromium and chromedriver: " + missing);
        }
        browser = Browser.start();
    }

    @AfterEach
    void stop() {
        if (beats != null) {
            beats.shutdownNow();
        }
        if (browser != null) {
            browser.close();
        }
    }

    void beat(String cluster) {
        send(cluster, CloudEvent.collectorSource(cluster), new Heartbeat(Heartbeat.CLUSTER_WATCHER, null));
        for (String node : List.of("node01", "node02")) {
            send(cluster, CloudEvent.agentSource(cluster, node), new Heartbeat(Heartbeat.NODE_AGENT, node));
        }
    }

    void send(String cluster, String source, Heartbeat h) {
        kafka.sendCloudEvent(Topics.SIGNALS, cluster, EventCodec.encode(CloudEvent.of(WebFixtures.unique("hb"), source,
                Instant.now(), cluster, null, h)));
    }

    static JsonPath fleet() {
        return given().auth().preemptive().basic("viewer", "viewer-demo").get("/api/fleet/clusters").then()
                .statusCode(200).extract().jsonPath();
    }

    static Map<String, Object> cluster(String id) {
        return fleet().getMap("clusters.find { it.cluster == '" + id + "' }");
    }

    @Test
    void threeClustersReportAndTheQuietOneTurnsStaleWithoutAReload() {
        List<String> live = List.of(WebFixtures.unique("fleet-a"), WebFixtures.unique("fleet-b"),
                WebFixtures.unique("fleet-c"));
        String quiet = WebFixtures.unique("fleet-quiet");
        beat(quiet);
        live.forEach(this::beat);
        beats = Executors.newSingleThreadScheduledExecutor();
        beats.scheduleAtFixedRate(() -> live.forEach(this::beat), 1, 1, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> cluster(quiet) != null && live.stream().allMatch(c -> cluster(c) != null));
        browser.open(ui + "#/fleet");
        browser.login("viewer", "viewer-demo");
        String row = "#fleet-health-table tr[data-cluster='%s']";
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.all(String.format(row, quiet)).size() == 1);

        // the page updates by itself: the quiet cluster turns stale, the others stay fresh
        await().atMost(WAIT).ignoreExceptions().until(() -> "true".equals(
                browser.all(String.format(row, quiet)).get(0).getAttribute("data-stale")));
        for (String c : live) {
            WebElement r = browser.all(String.format(row, c)).get(0);
            assertEquals("false", r.getAttribute("data-stale"), c + " keeps reporting");
            assertTrue(r.getText().contains("2 agents") && !r.getText().contains("stale"), r.getText());
        }
        String quietText = browser.all(String.format(row, quiet)).get(0).getText();
        assertTrue(quietText.contains("STALE") && quietText.contains("2 agents, 2 stale")
                && quietText.contains("not in registry"), quietText);
        browser.screenshot("fleet-health");

        Map<String, Object> q = cluster(quiet);
        assertEquals(true, q.get("stale"));
        assertEquals(2, q.get("staleNodeAgents"));
        assertEquals(false, cluster(live.get(0)).get("stale"));
        // the stale-collector gauge is not asserted here: alone this test saw it count the quiet collector, but in the
        // whole suite's application it was not even exposed (open item, remediator README "Fleet health"); LocalRunIT
        // checks it is exposed by the running service
        // the registry's clusters are listed even before they report
        assertTrue(fleet().getList("clusters.findAll { it.registered }.cluster").contains("registry-prod"));
    }
}
