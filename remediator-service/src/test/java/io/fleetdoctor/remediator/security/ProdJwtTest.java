package io.fleetdoctor.remediator.security;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.infra.SharedInfra;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The remediator in the {@code prod} profile, configured only through the variables the deployment sets
 * (k8s ConfigMap {@code remediator}, docker-compose.yml): a token signed by the identity provider's key, with
 * its issuer and audience, reads and approves; a token with another issuer or audience, or none, gets 401;
 * Basic has no users. The page's OIDC provider is configured but down: bearer clients do not need it.
 */
@QuarkusTest
@TestProfile(ProdJwtTest.Prod.class)
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class ProdJwtTest {
    static final String ISSUER = "https://sso.example.test/realms/fleetdoctor";
    static final String AUDIENCE = "fleetdoctor-remediator";

    /** The prod profile with the shipped variable names set as configuration. */
    public static class Prod implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            SharedInfra infra = SharedInfra.get();
            return Map.ofEntries(
                    Map.entry("FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION", "test-jwt-public.pem"),
                    Map.entry("FLEETDOCTOR_JWT_ISSUER", ISSUER),
                    Map.entry("FLEETDOCTOR_JWT_AUDIENCE", AUDIENCE),
                    Map.entry("FLEETDOCTOR_JWT_ROLES_CLAIM", "groups"),
                    // the page's code flow (OidcCodeFlowTest); here a provider that does not answer: bearer
                    // clients do not depend on it
                    Map.entry("FLEETDOCTOR_OIDC_AUTH_SERVER_URL", "http://127.0.0.1:9/realms/fleetdoctor"),
                    Map.entry("FLEETDOCTOR_OIDC_CLIENT_ID", "fleetdoctor-page"),
                    Map.entry("FLEETDOCTOR_OIDC_CLIENT_SECRET", "prod-jwt-test-client-secret-0123456789abcdef"),
                    Map.entry("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers()),
                    Map.entry("QUARKUS_DATASOURCE_JDBC_URL", infra.postgres().jdbcUrl()),
                    Map.entry("QUARKUS_DATASOURCE_USERNAME", infra.postgres().user()),
                    Map.entry("QUARKUS_DATASOURCE_PASSWORD", infra.postgres().password()),
                    // the test groups, so this application does not re-read what other test classes sent
                    Map.entry("mp.messaging.incoming.decisions.group.id", "fleetdoctor-remediator-test"),
                    Map.entry("mp.messaging.incoming.signals.group.id", "fleetdoctor-remediator-verify-test"),
                    Map.entry("fleetdoctor.remediator.policy.cooldown", "PT0S"),
                    // the key this test signs its tokens with (the identity provider's, in production)
                    Map.entry("smallrye.jwt.sign.key.location", "test-jwt-private.pem"));
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    InventoryService inventories;
    @Inject
    FakeRolloutController controller;
    @InjectKafka
    KafkaTestClient kafka;

    static String token(String issuer, String audience, String... groups) {
        var b = Jwt.issuer(issuer).upn("jane@example.org").groups(Set.of(groups));
        return audience == null ? b.sign() : b.audience(audience).sign();
    }

    static RequestSpecification bearer(String token) {
        return given().auth().oauth2(token);
    }

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    @Test
    void aTokenOfTheConfiguredIssuerAndAudienceReadsAndApproves() {
        String cluster = "prod-jwt-" + UUID.randomUUID().toString().substring(0, 8);
        String ns = "ns-" + cluster;
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(Duration.ofSeconds(60)).until(() -> inventories.interfaces(cluster).size() == 3);
        send(Topics.DECISIONS, Fixtures.decision("dec-" + cluster, cluster, ns, "open", List.of("eth0"), 2));

        String viewer = token(ISSUER, AUDIENCE, "viewer");
        await().atMost(Duration.ofSeconds(60)).until(() -> bearer(viewer).queryParam("cluster", cluster)
                .get("/api/plans").then().statusCode(200).extract().jsonPath().getInt("total") == 1);
        String id = bearer(viewer).queryParam("cluster", cluster).get("/api/plans").then().statusCode(200)
                .extract().jsonPath().getString("items[0].id");

        String hash = bearer(viewer).get("/api/plans/" + id).then().statusCode(200).extract().jsonPath().getString("planHash");
        bearer(viewer).contentType(ContentType.JSON).body("{\"planHash\":\"" + hash + "\"}").post("/api/plans/" + id
                + "/approve").then().statusCode(403);
        bearer(token(ISSUER, AUDIENCE, "approver")).contentType(ContentType.JSON)
                .body("{\"planHash\":\"" + hash + "\",\"comment\":\"prod jwt\"}")
                .post("/api/plans/" + id + "/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
        bearer(viewer).get("/api/plans/" + id).then().statusCode(200)
                .body("approvalList[0].approver", equalTo("jane@example.org"));
    }

    @Test
    void aTokenWithAnotherIssuerOrAudienceOrNoneIsRefused() {
        bearer(token(ISSUER, AUDIENCE, "viewer")).get("/api/plans").then().statusCode(200);
        bearer(token("https://elsewhere.example.test", AUDIENCE, "viewer")).get("/api/plans").then().statusCode(401);
        bearer(token(ISSUER, "another-app", "viewer")).get("/api/plans").then().statusCode(401);
        bearer(token(ISSUER, null, "viewer")).get("/api/plans").then().statusCode(401);
        // the test profile's issuer and audience mean nothing in prod
        bearer(token("https://fleetdoctor.local/issuer", "fleetdoctor", "viewer")).get("/api/plans").then().statusCode(401);
        given().get("/api/plans").then().statusCode(401);
        // no Basic users in prod: the demo passwords do not work
        given().auth().preemptive().basic("approver", "approver-demo").get("/api/plans").then().statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
    }
}
