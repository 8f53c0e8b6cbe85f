package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** docker-compose.yml at the root: parses, builds from existing contexts, gives every service what it needs. */
class ComposeFileTest {

    private final Path root = ProjectRoot.get();

    private JsonNode compose() {
        return Yamls.compose(Yamls.read(ProjectRoot.compose()));
    }

    @Test
    void composeFileIsComplete() {
        assertEquals(List.of(), ComposeCheck.check(compose(), root));
    }

    @Test
    void mergeKeysAreResolvedLikeCompose() {
        JsonNode analyzer = compose().path("services").path("analyzer");
        assertTrue(analyzer.path("read_only").asBoolean(), "x-service-hardening merged into analyzer");
        assertEquals("SYS_PTRACE", compose().path("services").path("collector-node").path("cap_add").path(0).asText());
    }

    /** Compose's node agent runs what the DaemonSet runs: the lean entry point, with the same JVM flags. */
    @Test
    void nodeAgentRunsAsTheDaemonSetDoes() {
        JsonNode node = compose().path("services").path("collector-node");
        JsonNode container = Yamls.single(ProjectRoot.k8s().resolve("base/node-agent/daemonset.yaml"))
                .path("spec").path("template").path("spec").path("containers").path(0);
        String javaOpts = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("JAVA_OPTS")) {
                javaOpts = e.path("value").asText();
            }
        }
        assertTrue(javaOpts != null && javaOpts.contains("-Xmx"), "the DaemonSet's JAVA_OPTS");
        assertEquals(javaOpts, node.path("environment").path("JAVA_OPTS").asText());
        // compose's entrypoint is the DaemonSet's command with the $ of $JAVA_OPTS doubled (compose interpolation)
        assertEquals(container.path("command").toString(), node.path("entrypoint").toString().replace("$$", "$"));
        assertTrue(node.path("entrypoint").toString().contains(WiringCheck.NODE_AGENT_MAIN));
    }

    @Test
    void everyServiceHasAFastJarDockerfileOnItsPort() {
        java.util.Map<String, Integer> ports = java.util.Map.of(
                "analyzer-service", 8081, "collector-service", 8082, "remediator-service", 8083);
        ports.forEach((service, port) -> {
            Path file = root.resolve(service).resolve("src/main/docker/Dockerfile.jvm");
            assertTrue(java.nio.file.Files.isRegularFile(file), file + " missing");
            String text = Yamls.read(file);
            assertTrue(text.matches("(?s).*\\nFROM (eclipse-temurin:17-jre|registry\\.access\\.redhat\\.com/ubi9/openjdk-17-runtime)\\S*\\n.*"),
                    service + ": base image");
            assertTrue(text.contains("\nEXPOSE " + port + "\n"), service + ": EXPOSE " + port);
            assertTrue(text.contains("\nUSER 185"), service + ": non-root numeric USER");
            assertTrue(text.contains("localhost:" + port + "/q/health/ready"), service + ": HEALTHCHECK on its port");
            assertTrue(text.contains("/deployments/quarkus-run.jar"), service + ": runs the fast-jar");
        });
    }

    // ---- the checker itself must be able to fail -------------------------------------------------------

    private List<String> problemsAfter(Consumer<ObjectNode> breakIt) {
        ObjectNode c = (ObjectNode) compose();
        breakIt.accept((ObjectNode) c.path("services"));
        return ComposeCheck.check(c, root);
    }

    private static void assertReported(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                () -> "expected a problem containing '" + expected + "', got " + problems);
    }

    @Test
    void duplicateKeysAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Yamls.compose("services:\n  a: {image: x}\n  a: {image: y}\n"));
    }

    @Test
    void reportsMissingKafkaBootstrap() {
        assertReported(problemsAfter(s -> ((ObjectNode) s.path("analyzer").path("environment"))
                .remove("KAFKA_BOOTSTRAP_SERVERS")), "analyzer: missing env KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void reportsMissingDatasourceAndCollectorEnv() {
        List<String> p = problemsAfter(s -> {
            ((ObjectNode) s.path("remediator").path("environment")).remove("QUARKUS_DATASOURCE_PASSWORD");
            ((ObjectNode) s.path("collector").path("environment")).remove("FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
        });
        assertReported(p, "remediator: missing env QUARKUS_DATASOURCE_PASSWORD");
        assertReported(p, "collector: missing env FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
    }

    @Test
    void reportsARemediatorWithoutAClusterRegistryEntry() {
        List<String> p = problemsAfter(s -> {
            ObjectNode env = (ObjectNode) s.path("remediator").path("environment");
            env.remove("FLEETDOCTOR_CLUSTERS__LOCAL__ID");
            env.remove("FLEETDOCTOR_CLUSTERS__LOCAL__KUBECONFIG");
        });
        assertReported(p, "remediator: no cluster registry entry (FLEETDOCTOR_CLUSTERS__<KEY>__ID/CONTEXT/KUBECONFIG/CLASS):"
                + " every decision would be refused");
    }

    @Test
    void reportsKubeconfigOutsideAReadOnlyMount() {
        List<String> p = problemsAfter(s -> {
            ((ArrayNode) s.path("remediator").path("volumes")).set(0, "${FLEETDOCTOR_KUBE_DIR:-~/.kube}:/kube");
            ((ObjectNode) s.path("collector").path("environment")).put("KUBECONFIG", "/root/.kube/config");
        });
        assertReported(p, "remediator: KUBECONFIG /kube/config is not inside a read-only volume");
        assertReported(p, "collector: KUBECONFIG /root/.kube/config is not inside a read-only volume");
    }

    @Test
    void reportsDuplicateHostPort() {
        assertReported(problemsAfter(s -> ((ArrayNode) s.path("collector").path("ports")).set(0, "8081:8082")),
                "host port 8081 already published");
    }

    @Test
    void reportsMissingBuildContextAndDockerfile() {
        List<String> p = problemsAfter(s -> {
            ((ObjectNode) s.path("analyzer").path("build")).put("context", "./analyzer-service-typo");
            ((ObjectNode) s.path("remediator").path("build")).put("dockerfile", "src/main/docker/Dockerfile.native");
        });
        assertReported(p, "build context ./analyzer-service-typo does not exist");
        assertReported(p, "Dockerfile src/main/docker/Dockerfile.native not found");
    }

    @Test
    void reportsWaitingForHealthWithoutHealthcheck() {
        assertReported(problemsAfter(s -> ((ObjectNode) s.path("postgres")).remove("healthcheck")),
                "waits for postgres to be healthy, but it has no healthcheck");
    }

    @Test
    void reportsWritableHostProcAndExtraCapabilities() {
        List<String> p = problemsAfter(s -> {
            ObjectNode node = (ObjectNode) s.path("collector-node");
            ((ArrayNode) node.path("volumes")).set(0, "/proc:/host/proc");
            ((ArrayNode) node.path("cap_add")).add("SYS_ADMIN");
        });
        assertReported(p, "host /proc must be mounted read-only");
        assertReported(p, "may add SYS_PTRACE and nothing else");
    }

    @Test
    void reportsHostNetworkEvenForTheNodeAgent() {
        assertReported(problemsAfter(s -> ((ObjectNode) s.path("collector-node")).put("network_mode", "host")),
                "collector-node: network_mode: host (no service needs the host's network namespace)");
    }

    @Test
    void reportsMissingTopic() {
        assertReported(problemsAfter(s -> {
            ArrayNode command = (ArrayNode) s.path("kafka").path("command");
            command.set(0, command.get(0).asText().replace("create --topic fleetdoctor.signals.dlq", "create --topic elsewhere"));
        }), "topic fleetdoctor.signals.dlq is not created");
    }
}
