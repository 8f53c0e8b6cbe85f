package io.fleetdoctor.remediator;

import io.fleetdoctor.infra.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Every protected endpoint: 401 without credentials, 403 without the role; health and metrics stay open. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class SecurityTest {
    static final String ISSUER = "https://fleetdoctor.local/issuer";
    static final String AUDIENCE = "fleetdoctor";

    record Endpoint(String method, String path, String body, String role) {
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/plans", null, "viewer"),
            new Endpoint("GET", "/api/plans/00000000-0000-0000-0000-000000000000", null, "viewer"),
            new Endpoint("POST", "/api/plans/00000000-0000-0000-0000-000000000000/approve", "{}", "approver"),
            new Endpoint("POST", "/api/plans/00000000-0000-0000-0000-000000000000/reject", "{\"reason\":\"no\"}", "approver"),
            new Endpoint("POST", "/api/fleet/pause", "{}", "admin"),
            new Endpoint("POST", "/api/fleet/resume", "{}", "admin"),
            new Endpoint("GET", "/api/policy", null, "viewer"));

    static io.restassured.response.Response call(RequestSpecification spec, Endpoint e) {
        if (e.body() != null) {
            spec = spec.contentType(ContentType.JSON).body(e.body());
        }
        return e.method().equals("GET") ? spec.get(e.path()) : spec.post(e.path());
    }

    static RequestSpecification basic(String user) {
        return given().auth().preemptive().basic(user, user + "-demo");
    }

    @Test
    void withoutCredentialsEveryProtectedEndpointAnswers401() {
        for (Endpoint e : ENDPOINTS) {
            // still an empty body (RELIABILITY.md, "Still open")
            call(given(), e).then().statusCode(401).contentType(containsString("application/problem+json"))
                    .body("status", equalTo(401)).body("title", equalTo("Unauthorized"));
        }
        given().get("/q/openapi").then().statusCode(401);
        basic("approver").auth().preemptive().basic("approver", "wrong").get("/api/plans").then().statusCode(401)
                .header("WWW-Authenticate", containsString("basic"))
                .contentType(containsString("application/problem+json")).body("detail", containsString("failed"));
    }

    @Test
    void withoutTheRoleEveryProtectedEndpointAnswers403() {
        for (Endpoint e : ENDPOINTS) {
            call(basic("outsider"), e).then().statusCode(403).contentType("application/problem+json")
                    .body("status", equalTo(403)).body("title", equalTo("Forbidden"));
            if (!e.role().equals("viewer")) {
                call(basic("viewer"), e).then().statusCode(403);
            }
            if (e.role().equals("admin")) {
                call(basic("approver"), e).then().statusCode(403);
            }
        }
    }

    @Test
    void withTheRoleTheRequestReachesTheService() {
        basic("viewer").get("/api/plans").then().statusCode(200).body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
        basic("viewer").get("/api/plans/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        basic("viewer").get("/api/plans?state=NOPE").then().statusCode(400).contentType("application/problem+json");
        basic("viewer").get("/api/plans?size=0").then().statusCode(400).contentType("application/problem+json");
        basic("approver").contentType(ContentType.JSON).body("{}")
                .post("/api/plans/00000000-0000-0000-0000-000000000000/approve").then().statusCode(404)
                .contentType("application/problem+json");
        basic("approver").contentType(ContentType.JSON).body("{\"reason\":\"\"}")
                .post("/api/plans/00000000-0000-0000-0000-000000000000/reject").then().statusCode(400)
                .contentType("application/problem+json");
        basic("approver").contentType(ContentType.JSON).body("{not json")
                .post("/api/plans/00000000-0000-0000-0000-000000000000/approve").then().statusCode(400);
        basic("viewer").get("/api/policy").then().statusCode(200).body("classApprovals.prod", equalTo(2));
        basic("viewer").get("/q/openapi").then().statusCode(200).body(containsString("/api/plans/{id}/approve"))
                .body(containsString("bearer"));
    }

    @Test
    void healthAndMetricsAreAnonymous() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void bearerJwtSignedWithTheConfiguredKeyCarriesRolesFromTheGroupsClaim() throws Exception {
        String viewer = Jwt.issuer(ISSUER).audience(AUDIENCE).upn("jane@example.org").groups(Set.of("viewer")).sign();
        given().auth().oauth2(viewer).get("/api/plans").then().statusCode(200);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{}").post("/api/fleet/pause").then().statusCode(403);

        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        String forged = Jwt.issuer(ISSUER).audience(AUDIENCE).upn("mallory").groups(Set.of("admin")).sign(gen.generateKeyPair().getPrivate());
        given().auth().oauth2(forged).get("/api/plans").then().statusCode(401)
                .contentType(containsString("application/problem+json")).body("status", equalTo(401));
        String wrongIssuer = Jwt.issuer("https://elsewhere").audience(AUDIENCE).upn("eve").groups(Set.of("viewer")).sign();
        given().auth().oauth2(wrongIssuer).get("/api/plans").then().statusCode(401);
        String wrongAudience = Jwt.issuer(ISSUER).audience("another-app").upn("eve").groups(Set.of("viewer")).sign();
        given().auth().oauth2(wrongAudience).get("/api/plans").then().statusCode(401);
        String noAudience = Jwt.issuer(ISSUER).upn("eve").groups(Set.of("viewer")).sign();
        given().auth().oauth2(noAudience).get("/api/plans").then().statusCode(401);
    }

    @Test
    void stateChangingEndpointsTakeJsonOnly() {
        for (String action : List.of("pause", "resume")) {
            String path = "/api/fleet/" + action;
            // what a cross-site form or a simple fetch can send without a preflight
            basic("admin").post(path).then().statusCode(415).contentType("application/problem+json");
            basic("admin").contentType("text/plain").body("{}").post(path).then().statusCode(415)
                    .contentType("application/problem+json");
            basic("admin").contentType("application/x-www-form-urlencoded").body("a=b").post(path).then().statusCode(415)
                    .contentType("application/problem+json");
            basic("admin").multiPart("reason", "x").post(path).then().statusCode(415)
                    .contentType("application/problem+json");
        }
        basic("approver").contentType("text/plain").body("{}")
                .post("/api/plans/00000000-0000-0000-0000-000000000000/approve").then().statusCode(415)
                .contentType("application/problem+json");
        basic("approver").contentType("application/x-www-form-urlencoded").body("reason=x")
                .post("/api/plans/00000000-0000-0000-0000-000000000000/reject").then().statusCode(415)
                .contentType("application/problem+json");
        basic("admin").contentType(ContentType.JSON).body("[1]").post("/api/fleet/pause").then().statusCode(400)
                .contentType("application/problem+json");
        basic("admin").contentType(ContentType.JSON).body("{not json").post("/api/fleet/pause").then().statusCode(400)
                .contentType("application/problem+json");
        // nothing above paused the fleet
        basic("viewer").get("/api/policy").then().statusCode(200).body("paused", equalTo(false));
    }
}
