package io.fleetdoctor.analyzer.security;

import io.fleetdoctor.infra.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/** The analyzer API (node IPs, log lines) needs role viewer; health and metrics stay anonymous. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class ApiSecurityTest {
    static final String ISSUER = "https://fleetdoctor.local/issuer";
    static final List<String> API = List.of("/api/incidents", "/api/incidents/inc-nope", "/api/fleet/summary",
            "/api/incidents?cluster=c1&status=open");

    static RequestSpecification basic(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }

    @Test
    void withoutCredentialsTheApiAnswers401() {
        for (String path : API) {
            // still an empty body here (anonymous and bad password: RELIABILITY.md, "Still open")
            given().get(path).then().statusCode(401).header("WWW-Authenticate", containsString("basic"))
                    .contentType(containsString("application/problem+json")).body("status", equalTo(401));
            basic("viewer", "wrong").get(path).then().statusCode(401)
                    .contentType(containsString("application/problem+json")).body("detail", containsString("failed"));
        }
        given().get("/q/openapi").then().statusCode(401);
    }

    @Test
    void withoutARoleTheApiAnswers403AsProblemJson() {
        for (String path : API) {
            basic("outsider", "outsider-demo").get(path).then().statusCode(403).contentType("application/problem+json")
                    .body("status", equalTo(403)).body("title", equalTo("Forbidden"));
        }
    }

    @Test
    void everyDemoRoleReads() {
        for (String user : List.of("viewer", "approver", "approver2", "admin")) {
            basic(user, user + "-demo").get("/api/incidents").then().statusCode(200).body("total", greaterThanOrEqualTo(0));
        }
        basic("viewer", "viewer-demo").get("/api/fleet/summary").then().statusCode(200);
        basic("viewer", "viewer-demo").get("/api/incidents/inc-nope").then().statusCode(404)
                .contentType("application/problem+json");
        basic("viewer", "viewer-demo").get("/q/openapi").then().statusCode(200).body(containsString("/api/incidents"));
    }

    @Test
    void healthAndMetricsAreAnonymous() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void bearerTokensAreCheckedForKeyIssuerAudienceAndRole() throws Exception {
        String viewer = Jwt.issuer(ISSUER).audience("fleetdoctor").upn("jane@example.org").groups(Set.of("viewer")).sign();
        given().auth().oauth2(viewer).get("/api/incidents").then().statusCode(200);
        String noRole = Jwt.issuer(ISSUER).audience("fleetdoctor").upn("joe").groups(Set.of("nobody")).sign();
        given().auth().oauth2(noRole).get("/api/incidents").then().statusCode(403);
        String wrongAudience = Jwt.issuer(ISSUER).audience("another-app").upn("eve").groups(Set.of("viewer")).sign();
        given().auth().oauth2(wrongAudience).get("/api/incidents").then().statusCode(401);
        String wrongIssuer = Jwt.issuer("https://elsewhere").audience("fleetdoctor").upn("eve").groups(Set.of("viewer")).sign();
        given().auth().oauth2(wrongIssuer).get("/api/incidents").then().statusCode(401);
        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        String forged = Jwt.issuer(ISSUER).audience("fleetdoctor").upn("mallory").groups(Set.of("viewer"))
                .sign(gen.generateKeyPair().getPrivate());
        given().auth().oauth2(forged).get("/api/incidents").then().statusCode(401)
                .contentType(containsString("application/problem+json")).body("title", equalTo("Unauthorized"));
    }
}
