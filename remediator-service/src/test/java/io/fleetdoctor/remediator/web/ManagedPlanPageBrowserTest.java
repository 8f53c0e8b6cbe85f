package io.fleetdoctor.remediator.web;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.support.ManagedTestPlaybook;
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

import java.net.URL;
import java.time.Duration;

import static io.fleetdoctor.remediator.web.ApprovalsPageBrowserTest.as;
import static io.fleetdoctor.remediator.web.ApprovalsPageBrowserTest.plan;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page for a managed DaemonSet's plan (owner from the test playbook): owner, evidence and source change are
 * shown, the plan hash and revision too; an admin records a live override and rebuilds from the page; approving
 * the rebuilt plan from the page ends it SOURCE_CHANGE_PROPOSED.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class ManagedPlanPageBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/ui/")
    URL ui;
    @Inject
    KubernetesClient client;
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

    static int plansOfIncident(String incident) {
        return as("viewer").get("/api/incidents/" + incident + "/plans").then().statusCode(200).extract().jsonPath()
                .getInt("total");
    }

    @Test
    void anAdminSeesTheSourceChangeOverridesLiveRebuildsAndTheApprovalProposesTheSourceChange() {
        String cluster = WebFixtures.unique("webhelm");
        String ns = WebFixtures.unique("helm-web");
        WebFixtures.seedNodes(client);
        WebFixtures.seedDaemonSet(client, ns);
        kafka.sendCloudEvent(Topics.DECISIONS, cluster, EventCodec.encode(ManagedTestPlaybook.decision(cluster, ns)));
        String incident = "flannel-iface/" + cluster;
        await().atMost(WAIT).until(() -> plansOfIncident(incident) == 1);
        String id = as("viewer").get("/api/incidents/" + incident + "/plans").then().extract().jsonPath()
                .getString("items[0].id");
        String hash = plan(id).getString("planHash");

        browser.open(ui + "#/plan/" + id);
        browser.login("admin", "admin-demo");
        await().atMost(WAIT).until(() -> browser.visible("#owner") && browser.visible("#live-override-form"));
        assertEquals("helm", browser.text("#owner-manager"));
        assertEquals("app.kubernetes.io/managed-by=Helm", browser.text("#owner-evidence"));
        assertEquals(ManagedTestPlaybook.HELM_VALUES.trim(), browser.text("#owner-source-change").trim());
        assertTrue(browser.text("#owner").contains("SOURCE_CHANGE_PROPOSED"), browser.text("#owner"));
        assertEquals(hash.substring(0, 8), browser.text("#plan-hash"));
        browser.screenshot("managed-plan");

        // the live override from the page: reason required, then recorded with the plan hash on screen
        browser.driver.findElement(By.id("live-override-btn")).click();
        await().atMost(WAIT).until(() -> browser.text("#action-result") != null
                && browser.text("#action-result").contains("reason is required"));
        browser.driver.findElement(By.id("live-override-reason")).sendKeys("Helm release frozen during the outage");
        browser.driver.findElement(By.id("live-override-btn")).click();
        await().atMost(WAIT).until(() -> plan(id).getString("liveOverride.by") != null);
        JsonPath p = plan(id);
        assertEquals("admin", p.getString("liveOverride.by"));
        assertEquals("Helm release frozen during the outage", p.getString("liveOverride.reason"));
        await().atMost(WAIT).until(() -> browser.text("#owner").contains("Live override by admin"));

        // rebuild from the page: the page opens the new plan, the old one is superseded
        browser.driver.findElement(By.id("rebuild-reason")).sendKeys("re-read after the Helm freeze");
        browser.driver.findElement(By.id("rebuild-btn")).click();
        await().atMost(WAIT).until(() -> plansOfIncident(incident) == 2);
        String second = as("viewer").get("/api/incidents/" + incident + "/plans").then().extract().jsonPath()
                .getString("items[0].id");
        await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().endsWith("#/plan/" + second));
        assertEquals("SUPERSEDED", plan(id).getString("plan.state"));
        await().atMost(WAIT).until(() -> browser.visible("#revisions") && browser.text("#plan-revision").startsWith("2"));
        assertTrue(browser.text("#revisions").contains("SUPERSEDED"), browser.text("#revisions"));
        assertTrue(browser.visible("#live-override-form"), "the override belonged to the old plan");

        // the fleet list flags it as managed and as the incident's second plan
        browser.driver.findElement(By.id("back")).click();
        String row = "tr.plan-row[data-cluster='" + cluster + "']";
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.all(row).size() == 1
                && browser.all(row).get(0).getText().contains("managed: helm")
                && browser.all(row).get(0).getText().contains("rev 2"));
        browser.all(row + " a.plan-link").get(0).click();
        await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().endsWith("#/plan/" + second));

        // approving the new plan from the page records agreement: the change goes to the source
        await().atMost(WAIT).until(() -> browser.visible("#approve-btn"));
        if (!browser.all("#approve-iface").isEmpty()) {
            browser.driver.findElement(By.id("approve-iface")).sendKeys("eth0");
        }
        browser.driver.findElement(By.id("approve-btn")).click();
        await().atMost(WAIT).until(() -> "SOURCE_CHANGE_PROPOSED".equals(plan(second).getString("plan.state")));
        await().atMost(WAIT).until(() -> "SOURCE_CHANGE_PROPOSED".equals(browser.text("#plan-state .badge")));
        browser.screenshot("managed-plan-source-change-proposed");
    }
}
