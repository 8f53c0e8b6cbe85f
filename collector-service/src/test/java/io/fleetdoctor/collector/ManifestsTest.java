package io.fleetdoctor.collector;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example manifests in k8s/ parse and grant what the code uses, no more. */
class ManifestsTest {

    @SuppressWarnings("unchecked")
    static List<HasMetadata> load(String file) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("k8s", file))) {
            Object o = Serialization.unmarshal(in);
            return o instanceof List ? (List<HasMetadata>) o : List.of((HasMetadata) o);
        }
    }

    @Test
    void clusterModeRbacIsExactlyWhatTheWatcherCalls() throws IOException {
        ClusterRole role = load("collector-cluster.yaml").stream().filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast).findFirst().orElseThrow();
        Map<String, List<String>> grants = role.getRules().stream().collect(Collectors.toMap(
                r -> r.getApiGroups().get(0) + "/" + String.join(",", r.getResources()), PolicyRule::getVerbs));
        assertEquals(Map.of(
                "/pods", List.of("get", "list", "watch"),
                "/pods/log", List.of("get"),
                "apps/daemonsets", List.of("get", "list", "watch")), grants);
    }

    @Test
    void nodeModeSeesTheHostAndNeedsNoApi() throws IOException {
        DaemonSet ds = (DaemonSet) load("collector-node.yaml").get(0);
        PodSpec spec = ds.getSpec().getTemplate().getSpec();
        assertTrue(spec.getHostPID() && spec.getHostNetwork());
        assertEquals(Boolean.FALSE, spec.getAutomountServiceAccountToken());
        Container c = spec.getContainers().get(0);
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("node", env.get("FLEETDOCTOR_COLLECTOR_MODE").getValue());
        assertEquals("spec.nodeName", env.get("NODE_NAME").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("status.hostIP", env.get("HOST_IP").getValueFrom().getFieldRef().getFieldPath());
        Map<String, String> mounts = c.getVolumeMounts().stream()
                .collect(Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
        assertEquals("proc", mounts.get(env.get("FLEETDOCTOR_COLLECTOR_PROCFS").getValue()));
        assertEquals("sys", mounts.get(env.get("FLEETDOCTOR_COLLECTOR_SYSFS").getValue()));
        assertTrue(c.getVolumeMounts().stream().filter(m -> !m.getName().equals("tmp")).allMatch(m -> m.getReadOnly()));
    }
}
