package io.fleetdoctor.remediator.web;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.fleetdoctor.remediator.web.ApprovalsPageBrowserTest.as;
import static io.fleetdoctor.remediator.web.ApprovalsPageBrowserTest.plan;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Canary waves on the page, in headless Chromium against the running remediator: an approver picks plans on the plan
 * list, is refused a wave mixing two fixes (the 409 detail shown), creates one with another canary and wave size,
 * approves it for the wave hash shown, and watches the canary, then each wave, released and verified until the wave
 * completes. A member plan's page links to its wave; a viewer sees no wave controls.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class CanaryWavePageBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    @TestHTTPResource("/ui/")
    URL ui;
    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @InjectKafka
    KafkaTestClient kafka;

    Browser browser;

    @BeforeEach
    void startBrowser() throws Exception {
        browser = Browser.startOrSkip("the canary wave page");
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** A cluster with the DaemonSet rolled out, eth0 on every node, and a PENDING_APPROVAL plan binding {@code iface}. */
    String pendingPlan(String cluster, String iface) {
        String ns = WebFixtures.unique("ns-" + cluster.substring(0, cluster.indexOf('-')));
        Fixtures.seedNodes(client);
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        int n = 0;
        for (String node : Fixtures.NODES) {
            CloudEvent<?> e = Fixtures.inventory(cluster, node, "192.168.10.1" + n++, true);
            kafka.sendCloudEvent(Topics.SIGNALS, cluster, EventCodec.encode(e));
        }
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
        CloudEvent<?> d = Fixtures.decision(WebFixtures.unique("dec"), cluster, ns, "open", List.of(iface), 2);
        kafka.sendCloudEvent(Topics.DECISIONS, cluster, EventCodec.encode(d));
        await().atMost(WAIT).until(() -> as("viewer").queryParam("cluster", cluster).get("/api/plans")
                .then().statusCode(200).extract().jsonPath().getInt("total") == 1);
        String id = as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath()
                .getString("items[0].id");
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"), () -> plan(id).prettify());
        assertFalse(plan(id).getBoolean("plan.needsIfaceOverride"));
        return id;
    }

    static JsonPath wave(String id) {
        return as("viewer").get("/api/waves/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Ticks or unticks a plan's box on the plan list (the list may re-render meanwhile: retried). */
    void pick(String planId, boolean on) {
        String css = "input.wave-pick[data-plan-id='" + planId + "']";
        String cluster = planCluster(planId);
        try {
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                WebElement box = browser.driver.findElement(By.cssSelector(css));
                if (box.isSelected() != on) {
                    browser.js("arguments[0].click();", box);
                }
                return browser.driver.findElement(By.cssSelector(css)).isSelected() == on
                        && browser.text("#wave-selected").contains(cluster) == on;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            browser.screenshot("wave-pick");
            fail("could not " + (on ? "pick " : "unpick ") + planId + " (" + cluster + "): boxes "
                    + browser.all("input.wave-pick").size() + ", rows " + browser.all("tr.plan-row").size()
                    + ", picked '" + browser.text("#wave-selected") + "', banner '" + browser.text("#banner") + "'");
        }
    }

    static String planCluster(String planId) {
        return plan(planId).getString("plan.cluster");
    }

    String waveIdFromHash() {
        String hash = (String) browser.js("return location.hash;");
        return hash.startsWith("#/wave/") ? hash.substring("#/wave/".length()) : null;
    }

    /** One attribute of every element matching {@code css}, read at once (polls re-render the view). */
    @SuppressWarnings("unchecked")
    List<String> attrs(String css, String attr) {
        return (List<String>) browser.js("return Array.from(document.querySelectorAll(arguments[0]))"
                + ".map(e => e.getAttribute(arguments[1]));", css, attr);
    }

    List<String> members(String attr) {
        return attrs("#wave-members-table tr.wave-member", attr);
    }

    @Test
    void anApproverCreatesAWaveOnThePlanListApprovesItAndWatchesItComplete() {
        String first = WebFixtures.unique("wfirst");
        String second = WebFixtures.unique("wsecond");
        String canary = WebFixtures.unique("wcanary");
        String other = WebFixtures.unique("wother");
        String pFirst = pendingPlan(first, "eth0");
        String pSecond = pendingPlan(second, "eth0");
        String pCanary = pendingPlan(canary, "eth0");
        String pOther = pendingPlan(other, "eth1");  // another fix: --iface=eth1

        browser.open(ui.toString());
        browser.login("approver", "approver-demo");
        await().atMost(WAIT).until(() -> browser.visible("#wave-create") && browser.visible("#plans-table"));
        assertFalse(browser.driver.findElement(By.id("wave-create-btn")).isEnabled(), "a wave needs two plans");

        // a wave mixing two fixes: the server's 409 is shown, no wave is made
        for (String p : List.of(pFirst, pSecond, pCanary, pOther)) {
            pick(p, true);
        }
        assertTrue(browser.text("#wave-selected").startsWith("4 plan(s) picked"), browser.text("#wave-selected"));
        int wavesBefore = as("viewer").get("/api/waves").then().statusCode(200).extract().jsonPath().getList("$").size();
        browser.driver.findElement(By.id("wave-create-btn")).click();
        await().atMost(WAIT).until(() -> browser.visible("#wave-create-result"));
        String refusal = browser.text("#wave-create-result");
        assertTrue(refusal.startsWith("409") && refusal.contains("eth1"), refusal);
        assertEquals(wavesBefore, as("viewer").get("/api/waves").then().extract().jsonPath().getList("$").size());

        // the same fix on three clusters; the canary chosen from the picked clusters, one plan per wave
        pick(pOther, false);
        assertTrue(browser.text("#wave-selected").startsWith("3 plan(s) picked"), browser.text("#wave-selected"));
        new Select(browser.driver.findElement(By.id("wave-canary"))).selectByVisibleText(canary);
        WebElement size = browser.driver.findElement(By.id("wave-size"));
        size.clear();
        size.sendKeys("1");
        browser.driver.findElement(By.id("wave-create-btn")).click();
        await().atMost(WAIT).until(() -> waveIdFromHash() != null && browser.visible("#wave-members-table"));
        String waveId = waveIdFromHash();

        JsonPath w = wave(waveId);
        assertEquals(List.of(pCanary, pFirst, pSecond), w.getList("members.planId"));
        assertEquals(canary, browser.text("#wave-canary"));
        assertEquals("1", browser.text("#wave-size-value"));
        assertEquals("RUNNING", browser.text("#wave-state .badge"));
        assertEquals(List.of(pCanary, pFirst, pSecond), members("data-plan-id"));
        assertEquals(List.of(canary, first, second), members("data-cluster"));
        assertEquals(List.of("0", "1", "2"), members("data-wave"));
        assertEquals(List.of("PENDING_APPROVAL", "PENDING_APPROVAL", "PENDING_APPROVAL"), members("data-plan-state"));
        assertEquals(List.of("false", "false"), members("data-released").subList(1, 3), "only the canary may be released");
        assertEquals("0/1", browser.text("#wave-members-table tr.wave-member[data-plan-id='" + pFirst + "'] td.approvals"));

        // approve: the page shows the hash it approves and what happened per member
        assertEquals(w.getString("waveHash"), browser.text("#wave-approve-hash"));
        browser.driver.findElement(By.id("wave-approve-btn")).click();
        await().atMost(WAIT).until(() -> browser.all("#wave-approve-list li").size() == 3);
        assertEquals(List.of(pCanary, pFirst, pSecond), attrs("#wave-approve-list li", "data-plan-id"));
        assertEquals(List.of("false", "false", "false"), attrs("#wave-approve-list li", "data-refused"));
        assertEquals(List.of("APPROVED", "APPROVED", "APPROVED"), attrs("#wave-approve-list li", "data-state"));
        assertTrue(browser.text("#wave-approve-summary").contains("3 member(s) approved, 0 refused"),
                browser.text("#wave-approve-summary"));
        for (String p : List.of(pCanary, pFirst, pSecond)) {
            JsonPath pj = plan(p);
            assertEquals("approver", pj.getString("approvalList[0].approver"));
            assertEquals("page", pj.getString("approvalList[0].channel"), "the page's approval records its channel");
        }
        assertEquals("PENDING_APPROVAL", plan(pOther).getString("plan.state"), "a plan outside the wave is untouched");

        // the view follows the wave without a reload: the canary first, then each wave once the previous one verified
        browser.js("window.__fleetdoctorTestMarker = 'same-document';");
        await().atMost(WAIT).until(() -> "COMPLETED".equals(browser.text("#wave-state .badge")));
        assertEquals("same-document", browser.js("return window.__fleetdoctorTestMarker || null;"));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "SUCCEEDED"), members("data-plan-state"));
        assertEquals(List.of("true", "true", "true"), members("data-released"));
        w = wave(waveId);
        List<Instant> released = w.<String>getList("members.releasedAt").stream().map(Instant::parse).toList();
        assertTrue(released.get(0).isBefore(released.get(1)) && released.get(1).isBefore(released.get(2)), released.toString());
        assertFalse(Instant.parse(plan(pCanary).getString("finishedAt")).isAfter(released.get(1)),
                "wave 1 is released after the canary verified");
        assertFalse(Instant.parse(plan(pFirst).getString("finishedAt")).isAfter(released.get(2)),
                "wave 2 is released after wave 1 verified");
        assertFalse(browser.visible("#wave-approve-form"), "a completed wave takes no approval");
        assertFalse(browser.visible("#wave-halted"));

        // the list of waves and a member plan's page link to the wave
        browser.driver.findElement(By.id("nav-waves")).click();
        String row = "#waves-table tr.wave-row[data-wave-id='" + waveId + "']";
        await().atMost(WAIT).until(() -> browser.visible(row));
        assertEquals("COMPLETED", browser.all(row).get(0).getAttribute("data-state"));
        browser.js("location.hash = arguments[0];", "#/plan/" + pFirst);
        await().atMost(WAIT).until(() -> browser.visible("#plan-wave"));
        assertTrue(browser.text("#plan-wave").contains("wave 1"), browser.text("#plan-wave"));
        assertFalse(browser.visible("#plan-wave-held"));
        browser.driver.findElement(By.id("plan-wave-link")).click();
        await().atMost(WAIT).until(() -> waveId.equals(waveIdFromHash()) && browser.visible("#wave-members-table"));

        // a viewer sees the wave, not the controls
        browser.driver.findElement(By.id("logout")).click();
        browser.login("viewer", "viewer-demo");
        await().atMost(WAIT).until(() -> browser.visible("#wave-readonly-note"));
        assertFalse(browser.visible("#wave-approve-form"));
        browser.js("location.hash = '#/';");
        await().atMost(WAIT).until(() -> browser.visible("#plans-table"));
        assertTrue(browser.all("#wave-create").isEmpty() && browser.all("input.wave-pick").isEmpty());
    }
}
