package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static io.fleetdoctor.deploycheck.Overlays.find;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wiring check must catch a service that would start without what it needs. */
class WiringCheckTest {

    private final List<HasMetadata> dev = Overlays.build("dev");

    @Test
    void kafkaBootstrapIsRequired() {
        find(dev, ConfigMap.class, "fleetdoctor", "fleetdoctor-common").getData().remove("KAFKA_BOOTSTRAP_SERVERS");
        List<String> problems = WiringCheck.check(dev);
        assertReported(problems, "analyzer container analyzer: missing env KAFKA_BOOTSTRAP_SERVERS");
        assertReported(problems, "collector container collector: missing env KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void passwordsComeFromSecrets() {
        List<EnvVar> env = find(dev, Deployment.class, "fleetdoctor", "remediator").getSpec().getTemplate().getSpec()
                .getContainers().get(0).getEnv();
        env.removeIf(e -> e.getName().equals("QUARKUS_DATASOURCE_PASSWORD"));
        env.add(new EnvVar("QUARKUS_DATASOURCE_PASSWORD", "hunter2", null));
        assertReported(WiringCheck.check(dev), "QUARKUS_DATASOURCE_PASSWORD must come from a Secret");
    }

    @Test
    void datasourceIsRequired() {
        find(dev, ConfigMap.class, "fleetdoctor", "analyzer").getData().remove("QUARKUS_DATASOURCE_JDBC_URL");
        assertReported(WiringCheck.check(dev), "analyzer: missing env QUARKUS_DATASOURCE_JDBC_URL");
    }

    @Test
    void clusterIdAgreesAcrossConfigMaps() {
        find(dev, ConfigMap.class, "fleetdoctor-node", "collector-node").getData().put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "other");
        assertReported(WiringCheck.check(dev), "ConfigMaps disagree on FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
    }

    @Test
    void overlaySetsTheClusterId() {
        find(dev, ConfigMap.class, "fleetdoctor", "collector").getData().put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "change-me");
        find(dev, ConfigMap.class, "fleetdoctor-node", "collector-node").getData().put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "change-me");
        assertReported(WiringCheck.check(dev), "ConfigMap fleetdoctor/collector: the overlay must set FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
    }

    @Test
    void remediatorNeedsAClusterRegistryEntryWhoseIdIsSet() {
        ConfigMap remediator = find(dev, ConfigMap.class, "fleetdoctor", "remediator");
        remediator.getData().put("FLEETDOCTOR_CLUSTERS__SELF__ID", "${FLEETDOCTOR_CLUSTER}");
        assertReported(WiringCheck.check(dev),
                "FLEETDOCTOR_CLUSTERS__SELF__ID refers to FLEETDOCTOR_CLUSTER, which is not set");
        remediator.getData().keySet().removeIf(k -> k.startsWith("FLEETDOCTOR_CLUSTERS__"));
        assertReported(WiringCheck.check(dev), "no cluster registry entry (FLEETDOCTOR_CLUSTERS__<KEY>__ID/CONTEXT/KUBECONFIG/CLASS):"
                + " every decision would be refused");
    }

    @Test
    void nodeAgentDeclaresThePortItListensOn() {
        find(dev, DaemonSet.class, "fleetdoctor-node", "collector-node").getSpec().getTemplate().getSpec()
                .getContainers().get(0).getPorts().get(0).setContainerPort(9182);
        assertReported(WiringCheck.check(dev), "collector-node container collector: does not declare containerPort 8082");
    }

    @Test
    void nodeAgentRunsTheLeanEntryPoint() {
        find(dev, DaemonSet.class, "fleetdoctor-node", "collector-node").getSpec().getTemplate().getSpec()
                .getContainers().get(0).setCommand(null);
        assertReported(WiringCheck.check(dev), "collector-node container collector: must run the lean node agent");
    }

    @Test
    void theLeanEntryPointAndItsClassPathExistInTheImage() throws Exception {
        Path module = ProjectRoot.get().resolve("collector-service");
        assertTrue(Files.exists(module.resolve("src/main/java/" + WiringCheck.NODE_AGENT_MAIN.replace('.', '/') + ".java")),
                WiringCheck.NODE_AGENT_MAIN);
        String dockerfile = Files.readString(module.resolve("src/main/docker/Dockerfile.jvm"));
        assertTrue(dockerfile.contains("COPY target/node-agent/ /deployments/node-agent/"), "Dockerfile.jvm");
        assertTrue(dockerfile.contains("COPY target/quarkus-app/app/ /deployments/app/"), "Dockerfile.jvm");
        assertTrue(Files.readString(module.resolve("pom.xml")).contains("<outputDirectory>${project.build.directory}/node-agent"
                + "</outputDirectory>"), "collector-service's pom fills target/node-agent");
    }

    @Test
    void clusterWatcherIsSingle() {
        find(dev, Deployment.class, "fleetdoctor", "collector").getSpec().setReplicas(2);
        assertReported(WiringCheck.check(dev), "exactly 1 replica");
    }

    @Test
    void servicesSelectThePods() {
        find(dev, Service.class, "fleetdoctor", "remediator").getSpec().getSelector().put("app.kubernetes.io/name", "typo");
        assertReported(WiringCheck.check(dev), "remediator: no Service selects its pods on port 8083");
    }

    @Test
    void allFourTopicsExist() {
        dev.removeIf(r -> r.getKind().equals("KafkaTopic") && r.getMetadata().getName().equals("fleetdoctor.signals.dlq"));
        assertReported(WiringCheck.check(dev), "KafkaTopics: expected");
    }

    @Test
    void servicesNamespaceEnforcesRestricted() {
        find(dev, Namespace.class, null, "fleetdoctor").getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "privileged");
        assertReported(WiringCheck.check(dev), "namespace fleetdoctor: runs the services, must enforce Pod Security 'restricted'");
    }
}
