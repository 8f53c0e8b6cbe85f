package io.fleetdoctor.remediator.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
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
import io.fleetdoctor.remediator.web.Browser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.oidc.server.OidcWireMock;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code prod} profile with the page's OIDC provider up (quarkus-test-oidc-server's WireMock provider in
 * this JVM): a browser (JDK HttpClient + cookie manager, redirects followed by hand) is sent from {@code /ui/}
 * to the provider, comes back with a code and gets a session cookie; with that cookie {@code /api/me} names the
 * user and roles, an approver approves a plan (JSON with its hash), a viewer gets 403, and non-JSON posts get
 * 415. Bearer JWTs still work beside it; Basic and anonymous API calls get 401, not a redirect.
 */
@QuarkusTest
@TestProfile(OidcCodeFlowTest.ProdWithProvider.class)
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class OidcCodeFlowTest {
    static final String CLIENT_ID = "fleetdoctor-page";
    /** the provider stand-in's issuer (OidcWiremockTestResource's default) */
    static final String PROVIDER_ISSUER = "https://server.example.com";

    /** ProdJwtTest's shipped environment, with the provider stand-in for the code flow. */
    public static class ProdWithProvider extends ProdJwtTest.Prod {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>(super.getConfigOverrides());
            c.put("FLEETDOCTOR_OIDC_AUTH_SERVER_URL", "${keycloak.url}/realms/quarkus");
            c.put("FLEETDOCTOR_OIDC_CLIENT_ID", CLIENT_ID);
            c.put("FLEETDOCTOR_OIDC_CLIENT_SECRET", "oidc-code-flow-test-secret-0123456789abcdef");
            // this test's browser talks plain http to the service: a Secure cookie would never be sent back
            c.put("quarkus.oidc.authentication.cookie-force-secure", "false");
            return c;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            // only for this profile: the resource also sets smallrye.jwt.sign.key.location for its own tokens
            return List.of(new TestResourceEntry(OidcWiremockTestResource.class));
        }
    }

    @OidcWireMock
    WireMockServer provider;
    @TestHTTPResource("/")
    URL root;
    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @InjectKafka
    KafkaTestClient kafka;

    static final ObjectMapper JSON = new ObjectMapper();

    /** A browser without JavaScript: its own cookies, no automatic redirects. */
    static final class HttpBrowser {
        final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

        HttpResponse<String> get(URI uri) throws Exception {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(URI uri, String contentType, String body) throws Exception {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        boolean hasSession() {
            return cookies.getCookieStore().getCookies().stream().anyMatch(c -> c.getName().startsWith("q_session"));
        }
    }

    static URI location(HttpResponse<?> r) {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError(
                "no Location in " + r.statusCode() + " from " + r.uri()));
        return r.uri().resolve(loc);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        for (String kv : uri.getRawQuery().split("&")) {
            int i = kv.indexOf('=');
            q.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    /** The provider signs this user in: its login form answers with a code, its token endpoint with an ID token. */
    void providerKnows(String user, String upn, Set<String> groups) {
        provider.stubFor(get(urlPathEqualTo("/login")).withQueryParam("username", equalTo(user))
                .willReturn(aResponse().withStatus(302).withHeader("Location",
                                "{{request.query.redirect_uri}}?state={{request.query.state}}&code=code-" + user)
                        .withTransformers("response-template")));
        String idToken = Jwt.issuer(PROVIDER_ISSUER).audience(CLIENT_ID).subject("sub-" + user).upn(upn).groups(groups)
                .jws().keyId("1").sign("privateKey.jwk");
        provider.stubFor(post(urlEqualTo("/auth/realms/quarkus/token")).withRequestBody(containing("code=code-" + user))
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"opaque-" + user + "\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                                + "\"id_token\":\"" + idToken + "\"}")));
    }

    /** What a person does: open the page, get sent to the provider, sign in there, come back with a session. */
    HttpBrowser signIn(String user) throws Exception {
        HttpBrowser b = new HttpBrowser();
        HttpResponse<String> page = b.get(root.toURI().resolve("/ui/"));
        assertEquals(302, page.statusCode(), "an anonymous /ui/ goes to the provider");
        URI authorize = location(page);
        assertTrue(authorize.toString().startsWith(provider.baseUrl() + "/auth/realms/quarkus"), authorize.toString());
        Map<String, String> q = query(authorize);
        assertEquals("code", q.get("response_type"));
        assertEquals(CLIENT_ID, q.get("client_id"));
        assertTrue(q.get("scope").contains("openid"), q.get("scope"));
        assertEquals(200, b.get(authorize).statusCode(), "the provider's login page");

        HttpResponse<String> login = b.get(URI.create(provider.baseUrl() + "/login?username=" + user
                + "&state=" + q.get("state") + "&redirect_uri=" + URLEncoder.encode(q.get("redirect_uri"),
                StandardCharsets.UTF_8)));
        assertEquals(302, login.statusCode());
        URI callback = location(login);
        assertTrue(callback.toString().startsWith(root.toString().replaceAll("/$", "")), callback.toString());

        HttpResponse<String> back = b.get(callback);
        assertEquals(302, back.statusCode(), "the code is exchanged, then the page without code and state");
        String session = back.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("q_session"))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + back.headers().map()));
        assertTrue(session.toLowerCase().contains("httponly"), session);
        assertTrue(session.toLowerCase().contains("samesite=lax"), session);
        HttpResponse<String> ui = b.get(location(back));
        assertEquals(200, ui.statusCode());
        assertTrue(ui.body().contains("app.js"), "the approvals page itself");
        return b;
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    static String bearer(String... groups) {
        return Jwt.issuer(ProdJwtTest.ISSUER).audience(ProdJwtTest.AUDIENCE).upn("api-client@example.org")
                .groups(Set.of(groups)).sign("test-jwt-private.pem");
    }

    HttpResponse<String> withBearer(String token, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.toURI().resolve(path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageSignsInWithTheCodeFlowAndItsSessionApprovesAsTheUser() throws Exception {
        assertNotNull(provider, "the provider stand-in");
        providerKnows("ann", "ann.approver@example.org", Set.of("viewer", "approver"));
        providerKnows("vic", "vic.viewer@example.org", Set.of("viewer"));

        String cluster = "oidc-" + UUID.randomUUID().toString().substring(0, 8);
        String ns = "ns-" + cluster;
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(Duration.ofSeconds(60)).until(() -> inventories.interfaces(cluster).size() == 3);
        send(Topics.DECISIONS, Fixtures.decision("dec-" + cluster, cluster, ns, "open", List.of("eth0"), 2));

        HttpBrowser ann = signIn("ann");
        URI api = root.toURI();
        JsonNode signIn = json(ann.get(api.resolve("/api/sign-in")));
        assertEquals("oidc", signIn.get("method").asText());
        assertEquals("/logout", signIn.get("signOut").asText());
        JsonNode me = json(ann.get(api.resolve("/api/me")));
        assertEquals("ann.approver@example.org", me.get("user").asText());
        assertEquals("[\"approver\",\"viewer\"]", me.get("roles").toString());

        await().atMost(Duration.ofSeconds(60)).until(() -> json(ann.get(api.resolve("/api/plans?cluster=" + cluster)))
                .get("total").asInt() == 1);
        String id = json(ann.get(api.resolve("/api/plans?cluster=" + cluster))).get("items").get(0).get("id").asText();
        String hash = json(ann.get(api.resolve("/api/plans/" + id))).get("planHash").asText();
        String body = "{\"planHash\":\"" + hash + "\",\"comment\":\"from the page\"}";
        URI approve = api.resolve("/api/plans/" + id + "/approve");

        HttpBrowser vic = signIn("vic");
        assertEquals("[\"viewer\"]", json(vic.get(api.resolve("/api/me"))).get("roles").toString());
        assertEquals(403, vic.post(approve, "application/json", body).statusCode(), "a viewer's session cannot approve");
        // what another site's form could send with the cookie: refused before anything is read
        assertEquals(415, ann.post(approve, "text/plain", body).statusCode());
        assertEquals(415, ann.post(approve, "application/x-www-form-urlencoded", "planHash=" + hash).statusCode());
        assertEquals("PENDING_APPROVAL", json(ann.get(api.resolve("/api/plans/" + id))).get("plan").get("state").asText());

        HttpResponse<String> approved = ann.post(approve, "application/json", body);
        assertEquals(200, approved.statusCode(), approved.body());
        assertEquals("APPROVED", json(approved).get("state").asText());
        JsonNode plan = json(withBearer(bearer("viewer"), "/api/plans/" + id));
        assertEquals("ann.approver@example.org", plan.get("approvalList").get(0).get("approver").asText());

        // signing out ends the session here and sends the browser to the provider's end-session endpoint
        HttpResponse<String> out = ann.get(api.resolve("/logout"));
        assertEquals(302, out.statusCode());
        assertTrue(location(out).toString().startsWith(provider.baseUrl() + "/auth/realms/quarkus/protocol/openid-connect/end-session"),
                location(out).toString());
        assertFalse(ann.hasSession(), "the session cookie is removed");
        assertEquals(401, ann.get(api.resolve("/api/me")).statusCode());
    }

    @Test
    void apiClientsKeepBearerAndNeitherBasicNorAnonymousCallsAreRedirected() throws Exception {
        assertEquals(200, withBearer(bearer("viewer"), "/api/plans").statusCode());
        assertEquals(200, withBearer(bearer("viewer"), "/api/me").statusCode());
        HttpBrowser anonymous = new HttpBrowser();
        HttpResponse<String> none = anonymous.get(root.toURI().resolve("/api/plans"));
        assertEquals(401, none.statusCode(), "an API call without credentials is not sent to the provider");
        assertNull(none.headers().firstValue("Location").orElse(null));
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").toLowerCase().startsWith("bearer"),
                none.headers().map().toString());
        HttpResponse<String> basic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.toURI().resolve("/api/plans"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "approver:approver-demo".getBytes(StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, basic.statusCode(), "no Basic in prod");
        assertEquals(200, anonymous.get(root.toURI().resolve("/q/health/live")).statusCode());
        assertEquals("oidc", json(anonymous.get(root.toURI().resolve("/api/sign-in"))).get("method").asText());
        assertEquals(302, anonymous.get(root.toURI().resolve("/")).statusCode(), "the page's root needs the code flow too");
    }

    @Test
    void thePageInChromiumSignsInAtTheProviderShowsTheUserApprovesAndSignsOut() throws Exception {
        if (Browser.skipRequested()) {
            Assumptions.abort("browser test skipped on request (-Dfleetdoctor.browser=skip)");
        }
        String missing = Browser.missing();
        if (missing != null) {
            fail("the page's OIDC browser test needs Chromium and chromedriver: " + missing);
        }
        providerKnows("ann", "ann.approver@example.org", Set.of("viewer", "approver"));
        String cluster = "oidc-web-" + UUID.randomUUID().toString().substring(0, 8);
        String ns = "ns-" + cluster;
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        for (String[] n : new String[][] {{"master01", "192.168.10.11"}, {"node01", "192.168.10.12"}, {"node02", "192.168.10.13"}}) {
            send(Topics.SIGNALS, Fixtures.inventory(cluster, n[0], n[1], true));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> inventories.interfaces(cluster).size() == 3);
        send(Topics.DECISIONS, Fixtures.decision("dec-" + cluster, cluster, ns, "open", List.of("eth0"), 2));
        String viewer = bearer("viewer");
        await().atMost(Duration.ofSeconds(60)).until(() -> json(withBearer(viewer, "/api/plans?cluster=" + cluster))
                .get("total").asInt() == 1);
        String id = json(withBearer(viewer, "/api/plans?cluster=" + cluster)).get("items").get(0).get("id").asText();

        try (Browser chromium = Browser.start()) {
            // the page sends the browser to the provider's login form; signing in there brings it back
            chromium.open(root.toURI().resolve("/ui/#/plan/" + id).toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> chromium.visible("#username"));
            assertTrue(chromium.driver.getCurrentUrl().startsWith(provider.baseUrl()), chromium.driver.getCurrentUrl());
            chromium.driver.findElement(By.id("username")).sendKeys("ann");
            chromium.driver.findElement(By.id("login")).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> chromium.visible("#whoami"));
            assertEquals("ann.approver@example.org (approver,viewer)", chromium.text("#whoami"));
            assertFalse(chromium.visible("#login"), "no password form in production");
            assertNotNull(chromium.driver.manage().getCookieNamed("q_session"), "signed in with the session cookie");

            // approve from the page: its JSON call carries the session cookie and the plan hash
            chromium.open(root.toURI().resolve("/ui/#/plan/" + id).toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> chromium.visible("#approve-btn"));
            chromium.driver.findElement(By.id("approve-comment")).sendKeys("approved after the OIDC sign-in");
            chromium.driver.findElement(By.id("approve-btn")).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> !chromium.all(
                    "#history-list li[data-to='APPROVED'][data-actor='ann.approver@example.org']").isEmpty());
            assertEquals("ann.approver@example.org", json(withBearer(viewer, "/api/plans/" + id))
                    .get("approvalList").get(0).get("approver").asText());

            // log out: the session cookie is gone, the browser is at the provider's end-session endpoint
            chromium.driver.findElement(By.id("logout")).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> chromium.driver.getCurrentUrl().startsWith(
                    provider.baseUrl() + "/auth/realms/quarkus/protocol/openid-connect/end-session"));
            chromium.open(root.toURI().resolve("/api/sign-in").toString());
            assertNull(chromium.driver.manage().getCookieNamed("q_session"), "the session cookie is removed");
        }
    }
}
