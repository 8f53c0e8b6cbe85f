package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.fixtures.Fixtures;
import io.quarkus.test.kubernetes.client.KubernetesServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Seeds the mock API server (CRUD mode) before the application starts, as kubeadm and the incident's
 * manifest would leave a cluster: static control-plane pods on master01, the flannel DaemonSet and
 * ConfigMap of the fixture {@code kube-flannel-v0.13.1-rc1.yaml}, a flannel pod per node, three nodes
 * with InternalIPs, and the log endpoints the watcher will call.
 */
public class ClusterSeed implements Consumer<KubernetesServer> {
    static final String NS = "kube-system";
    static final String KCM = "kube-controller-manager-master01";
    static final String SCHEDULER = "kube-scheduler-master01";
    static final String FLANNEL_POD = "kube-flannel-ds-7xk2p";
    static final int KCM_BASELINE = 4;

    @Override
    public void accept(KubernetesServer server) {
        KubernetesClient client = server.getClient();
        try (InputStream in = Fixtures.open(Fixtures.FLANNEL_MANIFEST)) {
            for (HasMetadata o : io.fleetdoctor.playbooks.flannel.FlannelManifests.read(in)) {
                client.resource(o).create();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        ds.setStatus(new DaemonSetStatusBuilder().withDesiredNumberScheduled(3).withNumberReady(3)
                .withCurrentNumberScheduled(3).withNumberAvailable(3).build());
        client.apps().daemonSets().inNamespace(NS).resource(ds).updateStatus();

        String[][] nodes = {{"master01", "192.168.10.11"}, {"node01", "192.168.10.21"}, {"node02", "192.168.10.22"}};
        for (String[] n : nodes) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n[0])
                    .addToLabels("kubernetes.io/hostname", n[0]).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress(n[1]).endAddress()
                    .addNewAddress().withType("Hostname").withAddress(n[0]).endAddress().endStatus().build()).create();
        }

        staticPod(client, "kube-apiserver", 0);
        staticPod(client, "kube-controller-manager", KCM_BASELINE);
        staticPod(client, "kube-scheduler", 2);
        staticPod(client, "etcd", 0);
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(FLANNEL_POD).withNamespace(NS)
                .addToLabels("app", "flannel").addToLabels("tier", "node").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("DaemonSet").withName("kube-flannel-ds").withUid("ds-uid").withController(true).endOwnerReference()
                .endMetadata().withNewSpec().withNodeName("master01").addNewContainer().withName("kube-flannel")
                .withImage("quay.io/coreos/flannel:v0.13.1-rc1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewContainerStatus().withName("kube-flannel").withRestartCount(0)
                .withReady(true).endContainerStatus().endStatus().build()).create();

        server.expect().get().withPath(logPath(KCM, "kube-controller-manager", true))
                .andReturn(200, Fixtures.text("logs/kube-controller-manager-previous.log")).always();
        server.expect().get().withPath(logPath(FLANNEL_POD, "kube-flannel", false))
                .andReturn(200, Fixtures.text("logs/kube-flannel-start.log")).always();
        server.expect().get().withPath(logPath(SCHEDULER, "kube-scheduler", true))
                .andReturn(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                        + "\"previous terminated container \\\"kube-scheduler\\\" not found\",\"reason\":\"NotFound\","
                        + "\"code\":404}").always();
    }

    static String logPath(String pod, String container, boolean previous) {
        // a previous log is read from its end, a startup log from its start (limitBytes = the configured bound)
        return "/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?pretty=false&container=" + container
                + (previous ? "&previous=true&tailLines=200" : "&limitBytes=262144");
    }

    private static void staticPod(KubernetesClient client, String component, int restarts) {
        Pod pod = new PodBuilder().withNewMetadata().withName(component + "-master01").withNamespace(NS)
                .addToLabels("component", component).addToLabels("tier", "control-plane")
                .addToAnnotations("kubernetes.io/config.source", "file")
                .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName("master01").withUid("master01-uid")
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNodeName("master01").withPriorityClassName("system-node-critical").withHostNetwork(true)
                .addNewContainer().withName(component).withImage("k8s.gcr.io/" + component + ":v1.19.6")
                .withCommand(component).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withHostIP("192.168.10.11").addNewContainerStatus()
                .withName(component).withReady(true).withRestartCount(restarts)
                .withNewState().withNewRunning().withStartedAt("2020-12-22T13:36:05Z").endRunning().endState()
                .endContainerStatus().endStatus().build();
        if (restarts > 0) {
            pod.getStatus().getContainerStatuses().get(0).setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                    .withNewTerminated().withReason("Error").withExitCode(255).withStartedAt("2020-12-22T13:25:40Z")
                    .withFinishedAt("2020-12-22T13:35:57Z").endTerminated().build());
        }
        client.pods().inNamespace(NS).resource(pod).create();
    }
}
