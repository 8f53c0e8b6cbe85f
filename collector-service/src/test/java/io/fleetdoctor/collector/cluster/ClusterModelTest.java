package io.fleetdoctor.collector.cluster;

import io.fleetdoctor.playbooks.flannel.FlannelSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.FlannelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.fleetdoctor.collector.cluster.RestartTracker.Change.BASELINE;
import static io.fleetdoctor.collector.cluster.RestartTracker.Change.INCREASE;
import static io.fleetdoctor.collector.cluster.RestartTracker.Change.NONE;
import static io.fleetdoctor.collector.cluster.RestartTracker.Change.RESET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure mapping of pods and DaemonSets, the restart tracker and log bounds. */
class ClusterModelTest {

    @ParameterizedTest(name = "{0} tier={1} component={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            "kubeadm scheduler, control-plane, kube-scheduler, true",
            "component label only, -, kube-controller-manager, true",
            "etcd without tier, -, etcd, true",
            "tier only, control-plane, -, true",
            "flannel pod, node, -, false",
            "coredns, -, -, false",
            "unknown component, -, kube-proxy, false"})
    void controlPlaneDetection(String name, String tier, String component, boolean expected) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("kube-system").endMetadata();
        if (tier != null) {
            b.editMetadata().addToLabels("tier", tier).endMetadata();
        }
        if (component != null) {
            b.editMetadata().addToLabels("component", component).endMetadata();
        }
        assertEquals(expected, ControlPlanePods.isControlPlane(b.build()));
    }

    @Test
    void componentFallsBackToOwnerThenName() {
        Pod owned = new PodBuilder().withNewMetadata().withName("coredns-abc").addNewOwnerReference()
                .withName("coredns-5d78c9869d").withKind("ReplicaSet").endOwnerReference().endMetadata().build();
        assertEquals("coredns-5d78c9869d", ControlPlanePods.component(owned));
        assertEquals("lonely", ControlPlanePods.component(new PodBuilder().withNewMetadata().withName("lonely")
                .endMetadata().build()));
    }

    @Test
    void reListAndResyncNeitherDuplicateNorLoseIncreases() {
        RestartTracker t = new RestartTracker();
        assertEquals(BASELINE, t.observe("uid-1", "kcm", 4));
        assertEquals(NONE, t.observe("uid-1", "kcm", 4), "resync re-delivers the same state");
        assertEquals(INCREASE, t.observe("uid-1", "kcm", 5));
        // watch broke (410 Gone); two restarts happen during the gap; the re-list delivers the pod again
        assertEquals(INCREASE, t.observe("uid-1", "kcm", 7));
        assertEquals(NONE, t.observe("uid-1", "kcm", 7));
        assertEquals(RESET, t.observe("uid-1", "kcm", 0));
        assertEquals(BASELINE, t.observe("uid-2", "kcm", 0), "recreated pod: new uid, new baseline");
        t.forget("uid-1");
        assertEquals(1, t.size());
    }

    static DaemonSet ds(String name, Map<String, String> labels, String image, List<String> command, List<String> args) {
        return new DaemonSetBuilder().withNewMetadata().withName(name).withNamespace("kube-flannel").withUid("u")
                .withResourceVersion("42").withLabels(labels).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec()
                .addNewInitContainer().withName("install-cni").withImage(image).withCommand("cp").endInitContainer()
                .addNewContainer().withName("sidecar").withImage("busybox").endContainer()
                .addNewContainer().withName("kube-flannel").withImage(image).withCommand(command).withArgs(args)
                .addNewEnv().withName("FLANNELD_IFACE").withValue("eth0").endEnv()
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
                .endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withDesiredNumberScheduled(3).withNumberReady(2).endStatus().build();
    }

    @Test
    void flannelDetectionAndConfig() {
        DaemonSet helm = ds("kube-flannel-ds", Map.of("app", "flannel"), "ghcr.io/flannel-io/flannel:v0.26.1",
                List.of("/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), List.of());
        assertTrue(FlannelSpec.isFlannel(helm));
        FlannelConfig fc = FlannelSpec.toConfig(helm);
        assertEquals("kube-flannel", fc.container(), "the container that runs flanneld, not the sidecar");
        assertEquals("v0.26.1", fc.version());
        assertEquals(List.of("/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), fc.command());
        assertEquals(Map.of("FLANNELD_IFACE", "eth0"), fc.env(), "literal env only");
        assertEquals("42", fc.resourceVersion());
        assertEquals(3, fc.desiredNodes());
        assertEquals(2, fc.readyNodes());

        DaemonSet unlabelled = ds("net-agent", Map.of(), "registry.local:5000/flannel:v0.11.0-amd64",
                List.of("/opt/bin/flanneld"), List.of("--ip-masq"));
        assertTrue(FlannelSpec.isFlannel(unlabelled), "found by the flanneld command");
        assertEquals("v0.11.0-amd64", FlannelSpec.toConfig(unlabelled).version());

        DaemonSet other = ds("kube-proxy", Map.of("k8s-app", "kube-proxy"), "k8s.gcr.io/kube-proxy:v1.19.6",
                List.of("/usr/local/bin/kube-proxy"), List.of());
        assertFalse(FlannelSpec.isFlannel(other));
        assertTrue(FlannelSpec.isFlannel(ds("x", Map.of("k8s-app", "flannel"), "img", List.of(), List.of())));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "quay.io/coreos/flannel:v0.13.1-rc1, v0.13.1-rc1",
            "registry.local:5000/flannel, -",
            "registry.local:5000/flannel:v0.13.0, v0.13.0",
            "flannel@sha256:abcd, -",
            "docker.io/flannel/flannel:v0.22.0@sha256:abcd, v0.22.0"})
    void imageTag(String image, String tag) {
        assertEquals(tag, io.fleetdoctor.playbooks.flannel.ImageRef.tag(image));
    }

    @Test
    void logTailIsBoundedToTheNewestLinesOf4KiB() throws Exception {
        String raw = IntStream.range(0, 500).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")) + "\n"
                + "é".repeat(5000) + "\r\n";
        List<String> lines = LogTail.read(new StringReader(raw), 200, 10_000_000);
        assertEquals(ContainerLog.MAX_LINES, lines.size());
        assertEquals("line 301", lines.get(0), "oldest kept line first");
        String last = lines.get(199);
        assertTrue(last.getBytes(StandardCharsets.UTF_8).length <= ContainerLog.MAX_LINE_BYTES);
        assertEquals(2048, last.length(), "cut on a character boundary: 2048 two-byte chars");
        assertEquals(List.of("line 0"), LogTail.read(new StringReader(raw), 200, 7), "stops after the char budget");
        assertEquals(List.of(), LogTail.read(new StringReader(""), 200, 100));
    }
}
