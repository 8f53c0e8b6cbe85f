package io.fleetdoctor.simulator;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builders for the seeded objects: nodes, kubeadm static (mirror) pods, flannel pods. Pure. */
public final class ClusterObjects {
    public static final String NAMESPACE = "kube-system";
    public static final String K8S_VERSION = "v1.19.6";
    public static final List<String> CONTROL_PLANE =
            List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler");

    private ClusterObjects() {
    }

    public static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    public static Node node(NodeTree tree, int index, Instant created, String publicIp) {
        String name = tree.node();
        Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        if (index == 0) {
            labels.put("node-role.kubernetes.io/master", "");
        }
        String t = time(created);
        return new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations("flannel.alpha.coreos.com/backend-type", "vxlan")
                .addToAnnotations("flannel.alpha.coreos.com/kube-subnet-manager", "true")
                .addToAnnotations("flannel.alpha.coreos.com/public-ip", publicIp)
                .endMetadata()
                .withNewSpec().withPodCIDR(tree.podCidr()).withPodCIDRs(tree.podCidr()).endSpec()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(tree.eth0Address()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("kubelet is posting ready status").withLastHeartbeatTime(t).withLastTransitionTime(t)
                .endCondition()
                .addToCapacity("cpu", new Quantity("4")).addToCapacity("memory", new Quantity("8008732Ki"))
                .addToCapacity("pods", new Quantity("110"))
                .addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory", new Quantity("7906332Ki"))
                .addToAllocatable("pods", new Quantity("110"))
                .withNewNodeInfo().withKernelVersion(NodeTree.KERNEL).withOsImage("CentOS Linux 7 (Core)")
                .withOperatingSystem("linux").withArchitecture("amd64")
                .withContainerRuntimeVersion("docker://19.3.14").withKubeletVersion(K8S_VERSION)
                .withKubeProxyVersion(K8S_VERSION).withMachineID(hex(name, 32)).withSystemUUID(hex(name + "u", 32))
                .withBootID(hex(name + "b", 32)).endNodeInfo()
                .endStatus().build();
    }

    /** A kubeadm mirror pod: {@code <component>-<node>}, labels component + tier=control-plane. */
    public static Pod controlPlanePod(String component, NodeTree master, Instant started) {
        String name = component + "-" + master.node();
        String image = ("etcd".equals(component) ? "k8s.gcr.io/etcd:3.4.13-0" : "k8s.gcr.io/" + component + ":"
                + K8S_VERSION);
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels("component", component).addToLabels("tier", "control-plane")
                .addToAnnotations("kubernetes.io/config.source", "file")
                .addToAnnotations("kubernetes.io/config.hash", hex(name, 32))
                .addToAnnotations("kubernetes.io/config.mirror", hex(name, 32))
                .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(master.node())
                .withUid(hex(master.node() + "uid", 8) + "-0000-4000-8000-" + hex(master.node(), 12))
                .withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName(master.node()).withHostNetwork(true)
                .withPriorityClassName("system-node-critical")
                .addNewContainer().withName(component).withImage(image)
                .withCommand(component.equals("etcd") ? "etcd" : component).endContainer()
                .endSpec()
                .withStatus(runningStatus(master.eth0Address(), master.eth0Address(),
                        List.of(running(component, image, 0, started, name))))
                .build();
    }

    public static ContainerStatus running(String container, String image, int restarts, Instant started,
                                          String seed) {
        return new ContainerStatusBuilder().withName(container).withImage(image)
                .withImageID("docker-pullable://" + image.replaceAll(":[^:/]+$", "") + "@sha256:" + hex(image, 64))
                .withContainerID("docker://" + hex(seed + "/" + restarts, 64)).withReady(true).withStarted(true)
                .withRestartCount(restarts)
                .withNewState().withNewRunning().withStartedAt(time(started)).endRunning().endState()
                .build();
    }

    static PodStatus runningStatus(String hostIp, String podIp, List<ContainerStatus> containers) {
        boolean ready = containers.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
        String t = time(Instant.now());
        return new PodStatusBuilder().withPhase("Running").withHostIP(hostIp).withPodIP(podIp)
                .addNewPodIP().withIp(podIp).endPodIP().withQosClass("Burstable")
                .addNewCondition().withType("Initialized").withStatus("True").withLastTransitionTime(t).endCondition()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").withLastTransitionTime(t)
                .endCondition()
                .addNewCondition().withType("ContainersReady").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(t).endCondition()
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(t).endCondition()
                .withStartTime(t).withContainerStatuses(containers).build();
    }

    /**
     * A pod of the flannel DaemonSet on a node, from its template; {@code chosen} is the interface
     * flanneld picked, null when it found none (then the container crash-loops).
     */
    public static Pod flannelPod(DaemonSet ds, NodeTree tree, String suffix, String container, String chosen,
                                 Instant started) {
        PodSpec spec = Serialization.clone(ds.getSpec().getTemplate().getSpec());
        spec.setNodeName(tree.node());
        Map<String, String> labels = new HashMap<>();
        if (ds.getSpec().getTemplate().getMetadata() != null
                && ds.getSpec().getTemplate().getMetadata().getLabels() != null) {
            labels.putAll(ds.getSpec().getTemplate().getMetadata().getLabels());
        }
        long gen = ds.getMetadata().getGeneration() == null ? 1 : ds.getMetadata().getGeneration();
        labels.put("pod-template-generation", String.valueOf(gen));
        labels.put("controller-revision-hash", hex(Serialization.asJson(ds.getSpec().getTemplate()), 10));
        String name = ds.getMetadata().getName() + "-" + suffix;
        String image = spec.getContainers().stream().filter(c -> container.equals(c.getName())).findFirst()
                .map(c -> c.getImage()).orElse("");
        ContainerStatus cs;
        if (chosen != null) {
            cs = running(container, image, 0, started, name);
        } else {
            cs = new ContainerStatusBuilder().withName(container).withImage(image).withReady(false).withStarted(false)
                    .withRestartCount(3)
                    .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container=" + container + " pod=" + name)
                    .endWaiting().endState()
                    .withNewLastState().withNewTerminated().withReason("Error").withExitCode(1)
                    .withStartedAt(time(started)).withFinishedAt(time(started)).endTerminated().endLastState()
                    .build();
        }
        List<ContainerStatus> containers = new java.util.ArrayList<>();
        for (var c : spec.getContainers()) {
            containers.add(c.getName().equals(container) ? cs : running(c.getName(), c.getImage(), 0, started, name));
        }
        PodStatus status = runningStatus(tree.eth0Address(), tree.eth0Address(), containers);
        if (spec.getInitContainers() != null) {
            for (var ic : spec.getInitContainers()) {
                status.getInitContainerStatuses().add(new ContainerStatusBuilder().withName(ic.getName())
                        .withImage(ic.getImage()).withReady(true).withRestartCount(0)
                        .withNewState().withNewTerminated().withReason("Completed").withExitCode(0)
                        .withStartedAt(time(started)).withFinishedAt(time(started)).endTerminated().endState()
                        .build());
            }
        }
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(ds.getMetadata().getNamespace())
                .withGenerateName(ds.getMetadata().getName() + "-").withLabels(labels)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName(ds.getMetadata().getName()).withUid(ds.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).endOwnerReference()
                .endMetadata()
                .withSpec(spec).withStatus(status).build();
    }

    /** Deterministic pseudo-random lowercase hex of a seed. */
    static String hex(String seed, int len) {
        StringBuilder sb = new StringBuilder();
        long h = 1125899906842597L;
        int round = 0;
        while (sb.length() < len) {
            for (int i = 0; i < seed.length(); i++) {
                h = 31 * h + seed.charAt(i);
            }
            h ^= (h >>> 29) + round++;
            sb.append(String.format(Locale.ROOT, "%016x", h * 0x9E3779B97F4A7C15L));
        }
        return sb.substring(0, len);
    }

    /** Kubernetes-style 5-character pod suffix. */
    static String suffix(String seed) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        String h = hex(seed, 10);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(alphabet.charAt(Integer.parseInt(h.substring(i * 2, i * 2 + 2), 16) % alphabet.length()));
        }
        return sb.toString();
    }

    static String utc(Instant t, String pattern) {
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC).format(t);
    }
}
