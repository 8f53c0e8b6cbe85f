package io.fleetdoctor.remediator.web;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.fleetdoctor.remediator.web.ApprovalsPageBrowserTest.as;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The storm guard on the page: five clusters opening flannel-oom (the test profile's storm threshold for it is 3)
 * show as one fleet incident on every view, with its clusters; a viewer cannot resume; an admin resumes with a
 * reason from the page, and the storm is gone.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class StormPageBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String RULE = "flannel-oom";

    @TestHTTPResource("/ui/")
    URL ui;
    @InjectKafka
    KafkaTestClient kafka;

    Browser browser;

    @BeforeEach
    void startBrowser() throws Exception {
        browser = Browser.startOrSkip("the approvals page");
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** The rule's active storm, or null. */
    static JsonPath activeStorm() {
        JsonPath all = as("viewer").get("/api/storms").then().statusCode(200).extract().jsonPath();
        return all.getList("findAll { it.rule == '" + RULE + "' && it.active }").isEmpty() ? null
                : all.setRoot("find { it.rule == '" + RULE + "' && it.active }");
    }

    @Test
    void aStormIsOneFleetIncidentOnThePageAndAnAdminResumesIt() {
        List<String> clusters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String cluster = WebFixtures.unique("webstorm" + i);
            clusters.add(cluster);
            // an open decision without a fix: the storm counts opens, no plan is needed for it
            Decision d = new Decision(RULE + "/" + cluster, RULE, "open", "critical", 0.9,
                    cluster + ": flanneld OOM-killed 3 times in 30m on node01", List.of(), null);
            kafka.sendCloudEvent(Topics.DECISIONS, cluster, EventCodec.encode(CloudEvent.of(WebFixtures.unique("dec"),
                    "/clusters/" + cluster + "/analyzer", Instant.now(), cluster, null, d)));
        }
        await().atMost(WAIT).until(() -> activeStorm() != null && activeStorm().getList("clusters").containsAll(clusters));
        String id = activeStorm().getString("id");
        String storm = ".storm[data-storm='" + id + "']";

        // a viewer sees the grouped incident on the fleet view, with each cluster, and no resume control
        browser.open(ui + "#/fleet");
        browser.login("viewer", "viewer-demo");
        await().atMost(WAIT).until(() -> browser.visible(storm));
        String text = browser.text(storm);
        assertTrue(text.contains("STORM · " + RULE + " paused fleet-wide"), text);
        clusters.forEach(c -> assertTrue(text.contains(c), c + " in " + text));
        assertTrue(text.contains("(an admin resumes)"), text);
        assertTrue(browser.all("#storm-resume-" + id).isEmpty(), "no resume button for a viewer");
        browser.all(storm + " a.storm-cluster").get(0).click();
        await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().contains("#/fleet/"));
        assertTrue(browser.visible(storm), "the storm stays shown on every view");
        browser.screenshot("storm-viewer");

        // an admin: a reason is required, then the rule resumes and the storm leaves the page
        browser.driver.findElement(By.id("logout")).click();
        await().atMost(WAIT).until(() -> browser.visible("#login-form"));
        browser.login("admin", "admin-demo");
        await().atMost(WAIT).until(() -> browser.visible("#storm-resume-" + id));
        browser.driver.findElement(By.id("storm-resume-" + id)).click();
        await().atMost(WAIT).until(() -> browser.visible("#banner") && browser.text("#banner").contains("Reason required"));
        assertTrue(activeStorm() != null, "nothing resumed without a reason");
        browser.driver.findElement(By.id("storm-reason-" + id)).sendKeys("cause found: a bad node image, rolled back");
        browser.driver.findElement(By.id("storm-resume-" + id)).click();
        await().atMost(WAIT).until(() -> activeStorm() == null);
        JsonPath resumed = as("viewer").get("/api/storms").then().extract().jsonPath().setRoot("find { it.id == '" + id + "' }");
        assertEquals("admin", resumed.getString("resumedBy"));
        assertEquals("cause found: a bad node image, rolled back", resumed.getString("reason"));
        await().atMost(WAIT).until(() -> !browser.visible(storm));
        assertFalse(browser.visible("#storms"), "no active storm: the bar is hidden");
    }
}
