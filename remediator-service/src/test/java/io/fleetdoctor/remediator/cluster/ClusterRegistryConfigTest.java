package io.fleetdoctor.remediator.cluster;

import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The registry as configured (properties and environment variables), without Quarkus. */
class ClusterRegistryConfigTest {

    static ClusterRegistry registry(Map<String, String> properties, Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // ${...} expansion, as in Quarkus
                .withSources(new PropertiesConfigSource(properties, "test", 400))
                .withSources(new EnvConfigSource(env, 300))
                .withMapping(ClustersConfig.class)
                .withMapping(RemediatorConfig.class)
                .build();
        return new ClusterRegistry(config.getConfigMapping(ClustersConfig.class),
                config.getConfigMapping(RemediatorConfig.class));
    }

    @Test
    void entriesFromPropertiesWithEveryField() {
        ClusterRegistry r = registry(Map.of(
                "fleetdoctor.clusters.\"prod-eu-1\".context", "admin@prod-eu-1",
                "fleetdoctor.clusters.\"prod-eu-1\".class", "prod",
                "fleetdoctor.clusters.\"prod-eu-1\".owners", "net-team,alice",
                "fleetdoctor.clusters.\"prod-eu-1\".slack-channel", "#net-prod",
                "fleetdoctor.clusters.edge.kubeconfig", "/etc/fleetdoctor/edge/kubeconfig"), Map.of());
        RegisteredCluster prod = r.require("prod-eu-1");
        assertEquals("admin@prod-eu-1", prod.context());
        assertNull(prod.kubeconfig());
        assertEquals("prod", prod.clusterClass());
        assertEquals(List.of("net-team", "alice"), prod.owners());
        assertEquals("#net-prod", prod.slackChannel());
        RegisteredCluster edge = r.require("edge");
        assertEquals("/etc/fleetdoctor/edge/kubeconfig", edge.kubeconfig());
        assertNull(edge.context());
        assertEquals(List.of(), edge.owners());
    }

    @Test
    void anUnknownIdIsNotRegisteredAndRequireSaysWhy() {
        ClusterRegistry r = registry(Map.of("fleetdoctor.clusters.a.class", "prod"), Map.of());
        assertFalse(r.find("b").isPresent());
        UnknownClusterException e = assertThrows(UnknownClusterException.class, () -> r.require("b"));
        assertEquals("cluster b is not in the registry (fleetdoctor.clusters.\"b\".*)", e.getMessage());
    }

    @Test
    void theIdOfTheK8sConfigMapEntryIsTheCollectorsClusterId() {
        ClusterRegistry r = registry(Map.of(), Map.of(
                "FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "prod-eu-1",
                "FLEETDOCTOR_CLUSTERS__SELF__ID", "${FLEETDOCTOR_COLLECTOR_CLUSTER_ID}",
                "FLEETDOCTOR_CLUSTERS__SELF__CLASS", "prod"));
        RegisteredCluster c = r.require("prod-eu-1");
        assertNull(c.context());
        assertNull(c.kubeconfig());
        assertEquals("the service's own client", c.access());
        assertEquals("prod", c.clusterClass());
    }

    @Test
    void twoEntriesForOneIdFailAtStartUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry(Map.of(
                "fleetdoctor.clusters.a.id", "b", "fleetdoctor.clusters.b.class", "prod"), Map.of()));
        assertEquals("fleetdoctor.clusters: cluster id b is registered twice", e.getMessage());
    }

    @Test
    void theDeprecatedKubeContextsStillRegisterAClusterByItsContext() {
        ClusterRegistry r = registry(Map.of(
                "fleetdoctor.remediator.kube-contexts.old", "ctx-old",
                "fleetdoctor.remediator.kube-contexts.both", "ctx-ignored",
                "fleetdoctor.clusters.both.context", "ctx-new"), Map.of());
        assertEquals("ctx-old", r.require("old").context());
        assertEquals("ctx-new", r.require("both").context());
        assertEquals(Map.of("both", "ctx-new", "old", "ctx-old"),
                Map.of("both", r.all().get("both").context(), "old", r.all().get("old").context()));
    }

    @Test
    void environmentVariablesRegisterAClusterWithADashInItsIdThroughTheIdKey() {
        ClusterRegistry r = registry(Map.of(), Map.of(
                "FLEETDOCTOR_CLUSTERS__PROD_EU_1__ID", "prod-eu-1",
                "FLEETDOCTOR_CLUSTERS__PROD_EU_1__KUBECONFIG", "/var/run/kubeconfigs/prod-eu-1",
                "FLEETDOCTOR_CLUSTERS__PROD_EU_1__CLASS", "prod",
                "FLEETDOCTOR_CLUSTERS__PROD_EU_1__SLACK_CHANNEL", "#net"));
        assertEquals(List.of("prod-eu-1"), List.copyOf(r.all().keySet()));
        RegisteredCluster c = r.require("prod-eu-1");
        assertEquals("/var/run/kubeconfigs/prod-eu-1", c.kubeconfig());
        assertEquals("prod", c.clusterClass());
        assertEquals("#net", c.slackChannel());
    }
}
