package io.fleetdoctor.remediator.web;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The approvals page in a real headless Chromium against the running remediator (real Kafka, PostgreSQL and
 * the mock Kubernetes API): log in, see a plan arrive live, read its diff, approve it, watch its state move —
 * all without reloading — and the role and credential failures.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class ApprovalsPageBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Set<String> AFTER_APPROVAL = Set.of("APPROVED", "EXECUTING", "VERIFYING", "SUCCEEDED", "FAILED",
            "ROLLED_BACK", "STALE");
    static final Set<String> SETTLED = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "STALE", "REJECTED", "EXPIRED",
            "CANCELLED");
    static final Set<String> BEYOND_APPROVED = Set.of("EXECUTING", "VERIFYING", "SUCCEEDED", "FAILED", "ROLLED_BACK",
            "STALE");

    @TestHTTPResource("/ui/")
    URL ui;
    @Inject
    KubernetesClient client;
    @InjectKafka
    KafkaTestClient kafka;
    @Inject
    FakeRolloutController controller;

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

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-demo");
    }

    /** A cluster with the fixture DaemonSet and nodes but no interface inventory, its decision published; waits
     * (through the REST API) for its plan, which needs an interface override. */
    String pendingPlan(String prefix) {
        String cluster = WebFixtures.unique(prefix);
        String ns = WebFixtures.unique("ns-" + prefix);
        WebFixtures.seedNodes(client);
        WebFixtures.seedDaemonSet(client, ns);
        WebFixtures.publishDecision(kafka, cluster, ns);
        await().atMost(WAIT).until(() -> as("viewer").queryParam("cluster", cluster).get("/api/plans")
                .then().statusCode(200).extract().jsonPath().getInt("total") == 1);
        String id = as("viewer").queryParam("cluster", cluster).get("/api/plans").then().extract().jsonPath()
                .getString("items[0].id");
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"));
        return id;
    }

    static JsonPath plan(String id) {
        return as("viewer").get("/api/plans/" + id).then().statusCode(200).extract().jsonPath();
    }

    static boolean isIn(Set<String> states, String state) {
        return state != null && states.contains(state);
    }

    /** Leaves no plan of this class running into the next test (the policy lets one plan execute at a time). */
    static void awaitSettled(String id) {
        await().atMost(WAIT).until(() -> isIn(SETTLED, plan(id).getString("plan.state")));
    }

    void markDocument() {
        browser.js("window.__fleetdoctorTestMarker = 'same-document';");
    }

    void assertNotReloaded() {
        assertEquals("same-document", browser.js("return window.__fleetdoctorTestMarker || null;"),
                "the page was reloaded; updates must arrive without a reload");
    }

    String planState() {
        return browser.text("#plan-state .badge");
    }

    @Test
    void approverSeesThePlanArriveLiveApprovesItAndWatchesItsStateChange() {
        String ns = WebFixtures.unique("ns-web");
        String cluster = WebFixtures.unique("web");
        WebFixtures.seedNodes(client);
        // reported rolled out before planning (as RemediationFlowTest seeds it): the plan runs to SUCCEEDED
        controller.markRolledOut(WebFixtures.seedDaemonSet(client, ns));

        browser.open(ui.toString());
        browser.login("approver", "approver-demo");
        await().atMost(WAIT).until(() -> browser.visible("#plans") && browser.visible("#whoami"));
        assertTrue(browser.text("#whoami").contains("approver"), browser.text("#whoami"));
        markDocument();

        // the analyzer's decision arrives after the page is open: the plan appears through polling
        WebFixtures.publishDecision(kafka, cluster, ns);
        String row = "tr.plan-row[data-cluster='" + cluster + "']";
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.all(row).size() == 1
                && "PENDING_APPROVAL".equals(browser.all(row).get(0).getAttribute("data-state")));
        assertNotReloaded();
        String id = browser.all(row).get(0).getAttribute("data-plan-id");
        browser.screenshot("overview");
        assertTrue(browser.text("#clusters-table").contains(cluster), "the clusters table lists " + cluster);

        // open it: state, evidence, checks and the coloured diff
        browser.all(row + " a.plan-link").get(0).click();
        await().atMost(WAIT).until(() -> "PENDING_APPROVAL".equals(planState()));
        assertTrue(browser.driver.getCurrentUrl().endsWith("#/plan/" + id), browser.driver.getCurrentUrl());
        List<String> added = browser.all("#diff span.add").stream().map(WebElement::getText).toList();
        List<String> removed = browser.all("#diff span.del").stream().map(WebElement::getText).toList();
        assertTrue(added.stream().anyMatch(l -> l.contains("--iface=eth0")), added.toString());
        assertTrue(added.stream().anyMatch(l -> l.contains(WebFixtures.GOOD)), added.toString());
        assertTrue(removed.stream().anyMatch(l -> l.contains(WebFixtures.BAD)), removed.toString());
        assertFalse(browser.all("#diff span.hunk").isEmpty(), "hunk headers are marked");
        assertTrue(browser.text("#evidence .evidence-kind[data-kind='process-io']").contains("flanneld read+wrote 38 MiB/s"),
                browser.text("#evidence"));
        assertEquals("false", browser.all("#checks-table tr[data-check='nodes-with-inventory']").get(0).getAttribute("data-passed"));
        assertTrue(browser.visible("#needs-iface"), "the page says the plan needs an interface override");
        browser.screenshot("plan-pending");

        // approve with a comment and the interface override the plan needs
        browser.driver.findElement(By.id("approve-comment")).sendKeys("eth0 is the node network, approved from the page");
        browser.driver.findElement(By.id("approve-iface")).sendKeys("eth0");
        browser.driver.findElement(By.id("approve-btn")).click();
        await().atMost(WAIT).until(() -> browser.text("#action-result") != null
                && browser.text("#action-result").startsWith("Approved by approver"));

        await().atMost(WAIT).until(() -> isIn(AFTER_APPROVAL, planState()));
        await().atMost(WAIT).until(() -> !browser.all("#history-list li[data-to='APPROVED'][data-actor='approver']").isEmpty());
        await().atMost(WAIT).until(() -> {
            String t = browser.text("#approvals-table");
            return t != null && t.contains("approver") && t.contains("approved from the page");
        });
        assertTrue(browser.all("#approve-btn").isEmpty(), "no approve button once the plan is approved");
        browser.screenshot("plan-approved");
        browser.driver.findElement(By.id("theme-toggle")).click();
        browser.screenshot("plan-approved-other-theme");
        browser.driver.findElement(By.id("theme-toggle")).click();
        assertNotReloaded();

        // the server recorded exactly that
        JsonPath p = plan(id);
        assertTrue(isIn(AFTER_APPROVAL, p.getString("plan.state")), p.prettify());
        assertEquals("approver", p.getString("approvalList[0].approver"));
        assertEquals("eth0 is the node network, approved from the page", p.getString("approvalList[0].comment"));
        assertEquals("page", p.getString("approvalList[0].channel"), "recorded as sent from the page");
        assertEquals("eth0", p.getString("ifaceOverride"));

        // the executor moves the plan on by itself; the open page follows without a reload
        await().atMost(WAIT).until(() -> isIn(BEYOND_APPROVED, plan(id).getString("plan.state")));
        await().atMost(WAIT).until(() -> isIn(BEYOND_APPROVED, planState()));
        assertNotReloaded();
        // the success message does not outlive its moment (15 s)
        await().atMost(WAIT).until(() -> !browser.visible("#action-result"));

        // back to the overview: the default filter (open + last 24 h) still shows the finished plan
        awaitSettled(id);
        assertEquals("SUCCEEDED", plan(id).getString("plan.state"));
        browser.driver.findElement(By.id("back")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.visible(row)
                && "SUCCEEDED".equals(browser.all(row).get(0).getAttribute("data-state")));
        assertEquals("RECENT", browser.all("button.chip.active").get(0).getAttribute("data-state"));
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            browser.driver.findElement(By.cssSelector("button.chip[data-state='ALL']")).click();
            return true;
        });
        await().atMost(WAIT).ignoreExceptions().until(() -> "SUCCEEDED".equals(
                browser.all(row).get(0).getAttribute("data-state")));
    }

    @Test
    void signingInAsksWhoIAmWithoutAnApproveProbeAndOnlyAnAdminSeesTheFleetControls() {
        RequestLog.REQUESTS.clear();
        browser.open(ui.toString());
        browser.login("admin", "admin-demo");
        await().atMost(WAIT).until(() -> browser.visible("#plans") && browser.text("#roles") != null
                && browser.text("#roles").contains("admin"));
        await().atMost(WAIT).until(() -> browser.visible("#pause-btn") || browser.visible("#resume-btn"));
        browser.driver.findElement(By.id("logout")).click();
        await().atMost(WAIT).until(() -> browser.visible("#login-form"));
        assertFalse(browser.visible("#pause-btn") || browser.visible("#resume-btn"), "fleet controls gone on logout");

        browser.open(ui.toString()); // a fresh page: the admin's buttons are not in it
        await().atMost(WAIT).until(() -> browser.visible("#login-form"));
        browser.login("viewer", "viewer-demo");
        await().atMost(WAIT).until(() -> browser.visible("#plans") && browser.text("#roles") != null
                && browser.text("#roles").contains("viewer"));
        await().atMost(WAIT).until(() -> browser.visible("#fleet-status"));
        assertTrue(browser.all("#pause-btn").isEmpty() && browser.all("#resume-btn").isEmpty(), "no fleet controls");

        List<String> requests = List.copyOf(RequestLog.REQUESTS);
        assertEquals(2, requests.stream().filter("GET /api/me"::equals).count(), requests.toString());
        assertTrue(requests.stream().noneMatch(r -> r.startsWith("POST ") && r.endsWith("/approve")), requests.toString());
    }

    @Test
    void viewerSeesThePlanAndDiffButNoDecisionButtonsAndTheServerRefusesAnyway() {
        String id = pendingPlan("webview");
        browser.open(ui + "#/plan/" + id);
        browser.login("viewer", "viewer-demo");
        await().atMost(WAIT).until(() -> "PENDING_APPROVAL".equals(planState()));
        await().atMost(WAIT).until(() -> browser.visible("#readonly-note"));
        assertTrue(browser.text("#roles").contains("viewer"), browser.text("#roles"));
        assertFalse(browser.all("#diff span.add").isEmpty(), "the viewer sees the diff");
        assertTrue(browser.all("#approve-btn").isEmpty(), "no approve button for a viewer");
        browser.screenshot("viewer");
        assertTrue(browser.all("#reject-btn").isEmpty(), "no reject button for a viewer");
        assertTrue(browser.all("#pause-btn").isEmpty() && browser.all("#resume-btn").isEmpty(), "no fleet controls");

        // hiding is a courtesy; the API decides. The same credentials, from the page's own origin:
        Object status = browser.asyncJs("""
                const done = arguments[arguments.length - 1];
                const auth = JSON.parse(sessionStorage.getItem('fleetdoctor.auth'));
                fetch('/api/plans/' + arguments[0] + '/approve', {method: 'POST', credentials: 'omit',
                    headers: {'Authorization': auth.header, 'Content-Type': 'application/json'}, body: '{}'})
                  .then(r => r.text().then(t => done(r.status + ' ' + r.headers.get('content-type') + ' ' + t)))
                  .catch(e => done('error ' + e));
                """, id);
        assertTrue(String.valueOf(status).startsWith("403 "), String.valueOf(status));
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"));
        as("approver").contentType(ContentType.JSON).body(Map.of("reason", "browser test cleanup"))
                .post("/api/plans/" + id + "/reject").then().statusCode(200);
    }

    @Test
    void aWrongPasswordIsRefusedWithAClearErrorAndShowsNoData() {
        // the page itself is public static content; the data behind it is not
        given().get("/ui/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
        given().get("/ui/app.js").then().statusCode(200).header("X-Content-Type-Options", equalTo("nosniff"));
        given().get("/").then().statusCode(200).body(containsString("url=/ui/"));
        for (String path : List.of("/api/plans", "/api/policy", "/api/plans/x", "/q/openapi")) {
            given().get(path).then().statusCode(401);
        }
        // a cross-site form can only send text/plain, urlencoded or multipart bodies: approve takes JSON only
        as("approver").contentType("text/plain").body("{}").post("/api/plans/x/approve").then().statusCode(415);
        browser.open(ui.toString());
        browser.login("approver", "not-the-password");
        await().atMost(WAIT).until(() -> browser.visible("#login-error"));
        String error = browser.text("#login-error");
        browser.screenshot("login-error");
        assertTrue(error.contains("401") && error.toLowerCase().contains("wrong user name or password"), error);
        assertFalse(browser.visible("#view"), "no data behind a failed login");
        assertNull(browser.js("return sessionStorage.getItem('fleetdoctor.auth');"), "failed credentials are not kept");
        assertTrue(browser.visible("#login-form"));

        // and the right password then works from the same form
        browser.login("approver", "approver-demo");
        await().atMost(WAIT).until(() -> browser.visible("#plans"));
        assertFalse(browser.visible("#login-error"));
    }

    @Test
    void anApproverRejectsWithAReasonAndTheReasonIsRecorded() {
        String id = pendingPlan("webreject");
        browser.open(ui + "#/plan/" + id);
        browser.login("approver2", "approver2-demo");
        await().atMost(WAIT).until(() -> "PENDING_APPROVAL".equals(planState()) && browser.visible("#reject-btn"));
        browser.driver.findElement(By.id("reject-btn")).click();
        await().atMost(WAIT).until(() -> {
            String t = browser.text("#action-result");
            return t != null && t.contains("reason is required");
        });
        assertEquals("PENDING_APPROVAL", plan(id).getString("plan.state"), "nothing is sent without a reason");

        browser.driver.findElement(By.id("reject-reason")).sendKeys("eth0 is the storage network on these nodes");
        browser.driver.findElement(By.id("reject-btn")).click();
        await().atMost(WAIT).until(() -> "REJECTED".equals(planState()));
        await().atMost(WAIT).until(() -> {
            String t = browser.text("#history-list li[data-to='REJECTED']");
            return t != null && t.contains("approver2") && t.contains("storage network");
        });
        assertTrue(browser.all("#approve-btn").isEmpty() && browser.all("#reject-btn").isEmpty());
        JsonPath p = plan(id);
        assertEquals("REJECTED", p.getString("plan.state"));
        assertEquals("eth0 is the storage network on these nodes", p.getString("history[-1].reason"));
        assertEquals("approver2", p.getString("history[-1].actor"));
    }

    @Test
    void anApprovalFromAStaleViewShowsTheConflict() {
        String id = pendingPlan("webstale");
        browser.open(ui + "#/plan/" + id);
        browser.login("approver", "approver-demo");
        await().atMost(WAIT).until(() -> "PENDING_APPROVAL".equals(planState()) && browser.visible("#approve-btn"));
        // freeze the view, then someone else approves meanwhile
        browser.driver.findElement(By.id("live-toggle")).click();
        await().atMost(WAIT).until(() -> browser.text("#live").contains("frozen"));
        as("approver2").contentType(ContentType.JSON).body(Map.of("iface", "eth0", "comment", "via REST",
                        "planHash", plan(id).getString("planHash")))
                .post("/api/plans/" + id + "/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
        assertEquals("PENDING_APPROVAL", planState(), "the frozen view still shows the old state");

        browser.driver.findElement(By.id("approve-iface")).sendKeys("eth0");
        browser.driver.findElement(By.id("approve-btn")).click();
        await().atMost(WAIT).until(() -> {
            String t = browser.text("#action-result");
            return t != null && t.contains("409") && t.contains("not PENDING_APPROVAL");
        });
        // the page re-reads the plan after the refusal and shows who approved it
        await().atMost(WAIT).until(() -> isIn(AFTER_APPROVAL, planState()));
        await().atMost(WAIT).until(() -> !browser.all("#approvals-table tr[data-approver='approver2']").isEmpty());
        assertTrue(browser.text("#action-result").contains("409"), "the conflict stays visible after the refresh");
        browser.screenshot("conflict");
        JsonPath p = plan(id);
        assertEquals(1, p.getList("approvalList").size(), p.prettify());
        assertNotEquals("approver", p.getString("approvalList[0].approver"));
        awaitSettled(id);
    }
}
