package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static io.fleetdoctor.deploycheck.Overlays.find;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fleetdoctor.deploycheck.ServiceConfig.Access;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Kafka ACL table of k8s/ and docker-compose.yml against what each service's channels use. */
class KafkaAclCheckTest {

    static java.util.stream.Stream<String> overlays() {
        return Overlays.names();
    }

    private static JsonNode compose() {
        return Yamls.compose(Yamls.read(ProjectRoot.compose()));
    }

    @Test
    void theTableFollowsTheChannels() {
        Map<String, ServiceConfig> s = EnvCheckTest.services();
        assertEquals(Set.of(new Access("topic", "fleetdoctor.signals", "Write"),
                new Access("topic", "fleetdoctor.signals", "Describe")), KafkaAclCheck.expected(s.get("collector-service")));
        Set<String> analyzer = new TreeSet<>();
        KafkaAclCheck.expected(s.get("analyzer-service")).forEach(a -> analyzer.add(a.operation() + " " + a.resource() + " " + a.name()));
        assertEquals(new TreeSet<>(List.of("Read topic fleetdoctor.signals", "Describe topic fleetdoctor.signals",
                "Read topic fleetdoctor.remediations", "Describe topic fleetdoctor.remediations",
                "Read group fleetdoctor-analyzer",
                "Write topic fleetdoctor.decisions", "Describe topic fleetdoctor.decisions",
                "Write topic fleetdoctor.signals.dlq", "Describe topic fleetdoctor.signals.dlq")), analyzer);
        Set<String> remediator = new TreeSet<>();
        KafkaAclCheck.expected(s.get("remediator-service")).forEach(a -> remediator.add(a.operation() + " " + a.resource() + " " + a.name()));
        assertEquals(new TreeSet<>(List.of("Read topic fleetdoctor.decisions", "Describe topic fleetdoctor.decisions",
                "Read topic fleetdoctor.signals", "Describe topic fleetdoctor.signals",
                "Read group fleetdoctor-remediator", "Read group fleetdoctor-remediator-verify",
                "Write topic fleetdoctor.remediations", "Describe topic fleetdoctor.remediations")), remediator);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kafkaUsersGrantExactlyWhatTheServicesUse(String overlay) {
        assertEquals(List.of(), KafkaAclCheck.manifests(Overlays.build(overlay), EnvCheckTest.services()));
    }

    @Test
    void composeAclsGrantExactlyWhatTheServicesUse() {
        assertEquals(List.of(), KafkaAclCheck.compose(compose(), EnvCheckTest.services()));
    }

    // ---- the check must be able to fail --------------------------------------------------------------

    @Test
    void reportsAnExtraAndAMissingPermission() {
        List<HasMetadata> dev = Overlays.build("dev");
        GenericKubernetesResource collector = find(dev, GenericKubernetesResource.class, "kafka", "fleetdoctor-collector");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> acls = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                collector.get("spec")).get("authorization")).get("acls");
        acls.add(Map.of("resource", Map.of("type", "topic", "name", "fleetdoctor.decisions", "patternType", "literal"),
                "operations", List.of("Write")));
        dev.removeIf(r -> r.getKind().equals("KafkaUser") && r.getMetadata().getName().equals("fleetdoctor-analyzer"));
        List<String> problems = KafkaAclCheck.manifests(dev, EnvCheckTest.services());
        assertReported(problems, "KafkaUser fleetdoctor-collector: may Write on topic fleetdoctor.decisions, which its configuration does not use");
        assertReported(problems, "KafkaUser fleetdoctor-analyzer (analyzer-service) is missing");
    }

    @Test
    void reportsAPlaintextClientAndAnUnauthenticatedListener() {
        List<HasMetadata> dev = Overlays.build("dev");
        find(dev, ConfigMap.class, "fleetdoctor", "fleetdoctor-common").getData().put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        GenericKubernetesResource kafka = find(dev, GenericKubernetesResource.class, "kafka", "fleetdoctor-kafka");
        @SuppressWarnings("unchecked")
        Map<String, Object> listener = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                kafka.get("spec")).get("kafka")).get("listeners")).get(0);
        listener.remove("authentication");
        List<String> problems = KafkaAclCheck.manifests(dev, EnvCheckTest.services());
        assertReported(problems, "Deployment fleetdoctor/analyzer container analyzer: KAFKA_SECURITY_PROTOCOL is PLAINTEXT");
        assertReported(problems, "Kafka fleetdoctor-kafka: listener tls does not authenticate");
    }

    @Test
    void reportsAComposeServiceOnAnotherPrincipalAndADriftedAcl() {
        JsonNode c = compose();
        ObjectNode services = (ObjectNode) c.path("services");
        ((ObjectNode) services.path("collector").path("environment")).put("KAFKA_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"remediator\" password=\"x\";");
        ArrayNode command = (ArrayNode) services.path("kafka").path("command");
        command.set(0, command.get(0).asText().replace(
                "acl analyzer --operation Write --operation Describe --topic fleetdoctor.decisions",
                "acl analyzer --operation Write --operation Describe --topic fleetdoctor.remediations"));
        List<String> problems = KafkaAclCheck.compose(c, EnvCheckTest.services());
        assertReported(problems, "collector: authenticates to Kafka as remediator, not as collector");
        assertReported(problems, "compose user analyzer: lacks Write on topic fleetdoctor.decisions");
        assertReported(problems, "compose user analyzer: may Write on topic fleetdoctor.remediations");
    }
}
