package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static io.fleetdoctor.deploycheck.Overlays.find;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every variable compose and the manifests set is one the service reads, and none it needs is missing. */
class EnvCheckTest {

    static Map<String, ServiceConfig> services() {
        Map<String, ServiceConfig> s = new LinkedHashMap<>();
        ServiceConfig.MODULES.forEach(m -> s.put(m, ServiceConfig.of(ProjectRoot.get(), m)));
        return s;
    }

    static java.util.stream.Stream<String> overlays() {
        return Overlays.names();
    }

    private static JsonNode compose() {
        return Yamls.compose(Yamls.read(ProjectRoot.compose()));
    }

    @Test
    void composeSetsOnlyWhatTheServicesRead() {
        assertEquals(List.of(), EnvCheck.compose(compose(), services()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void manifestsSetOnlyWhatTheServicesRead(String overlay) {
        assertEquals(List.of(), EnvCheck.manifests(Overlays.build(overlay), services()));
    }

    @Test
    void theRulesSeeWhatTheServicesRead() {
        Map<String, ServiceConfig> s = services();
        ServiceConfig remediator = s.get("remediator-service");
        // ${...} in the properties, the env form of a property, a @ConfigMapping member, Kafka client settings
        assertTrue(remediator.reads("FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION"));
        assertTrue(remediator.reads("QUARKUS_DATASOURCE_USERNAME"));
        assertTrue(remediator.reads("FLEETDOCTOR_REMEDIATOR_PUBLIC_URL"));
        assertTrue(remediator.reads("KAFKA_SASL_JAAS_CONFIG"));
        assertTrue(s.get("collector-service").reads("FLEETDOCTOR_COLLECTOR_CLUSTER_ID"));
        assertTrue(remediator.required().containsAll(List.of("FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION",
                "FLEETDOCTOR_JWT_ISSUER", "FLEETDOCTOR_JWT_AUDIENCE", "KAFKA_BOOTSTRAP_SERVERS",
                "FLEETDOCTOR_OIDC_AUTH_SERVER_URL", "FLEETDOCTOR_OIDC_CLIENT_ID", "FLEETDOCTOR_OIDC_CLIENT_SECRET")));
        assertTrue(s.get("analyzer-service").required().contains("FLEETDOCTOR_JWT_AUDIENCE"));
        assertTrue(!remediator.reads("MP_JWT_VERIFY_PUBLICKEY_LOCATON") && !remediator.reads("FLEETDOCTOR_JWT_KEY"));
    }

    // ---- the check must catch the bug it is for -------------------------------------------------------

    @Test
    void aVariableTheServiceNoLongerReadsIsReported() {
        // the remediator as it was: the key location only under its MicroProfile name
        String properties = Yamls.read(ProjectRoot.get().resolve("remediator-service/src/main/resources/application.properties"))
                .replace("%prod.mp.jwt.verify.publickey.location=${FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION}\n", "");
        Map<String, ServiceConfig> s = services();
        s.put("remediator-service", ServiceConfig.of("remediator-service", properties,
                ProjectRoot.get().resolve("remediator-service")));
        assertReported(EnvCheck.compose(compose(), s),
                "compose service remediator: sets FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION, which remediator-service never reads");
        assertReported(EnvCheck.manifests(Overlays.build("prod"), s),
                "Deployment fleetdoctor/remediator container remediator: sets FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION");
    }

    @Test
    void aMisspeltVariableIsReported() {
        List<HasMetadata> dev = Overlays.build("dev");
        find(dev, ConfigMap.class, "fleetdoctor", "fleetdoctor-auth").getData().put("FLEETDOCTOR_JWT_AUDIENCES", "x");
        assertReported(EnvCheck.manifests(dev, services()), "sets FLEETDOCTOR_JWT_AUDIENCES, which analyzer-service never reads");
        JsonNode c = compose();
        ((ObjectNode) c.path("services").path("collector").path("environment")).put("FLEETDOCTOR_COLLECTOR_CLUSTERID", "x");
        assertReported(EnvCheck.compose(c, services()), "compose service collector: sets FLEETDOCTOR_COLLECTOR_CLUSTERID");
    }

    @Test
    void aMissingRequiredVariableIsReported() {
        List<HasMetadata> prod = Overlays.build("prod");
        find(prod, ConfigMap.class, "fleetdoctor", "fleetdoctor-auth").getData().remove("FLEETDOCTOR_JWT_AUDIENCE");
        List<String> problems = EnvCheck.manifests(prod, services());
        assertReported(problems, "Deployment fleetdoctor/remediator container remediator: remediator-service needs FLEETDOCTOR_JWT_AUDIENCE");
        assertReported(problems, "Deployment fleetdoctor/analyzer container analyzer: analyzer-service needs FLEETDOCTOR_JWT_AUDIENCE");
        JsonNode c = compose();
        ((ObjectNode) c.path("services").path("analyzer").path("environment")).remove("FLEETDOCTOR_JWT_ISSUER");
        assertReported(EnvCheck.compose(c, services()), "compose service analyzer: analyzer-service needs FLEETDOCTOR_JWT_ISSUER");
    }
}
