package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fleetdoctor.events.PodRestart;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which pods are control plane, and their containers as {@code pod-restart} data. Pure. */
public final class ControlPlanePods {
    public static final Set<String> COMPONENTS =
            Set.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd");

    private ControlPlanePods() {
    }

    /** Label {@code tier=control-plane}, or label {@code component} one of the well-known ones. */
    public static boolean isControlPlane(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels == null) {
            return false;
        }
        String component = labels.get("component");
        return "control-plane".equals(labels.get("tier")) || (component != null && COMPONENTS.contains(component));
    }

    /** Label {@code component} (kubeadm static pods), else the owner's name, else the pod name. */
    public static String component(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels != null && labels.get("component") != null) {
            return labels.get("component");
        }
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners != null && !owners.isEmpty() && owners.get(0).getName() != null) {
            return owners.get(0).getName();
        }
        return pod.getMetadata().getName();
    }

    /** One {@code pod-restart} data per container status (init containers excluded). */
    public static List<PodRestart> restarts(Pod pod) {
        List<PodRestart> out = new ArrayList<>();
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return out;
        }
        String node = pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
        boolean cp = isControlPlane(pod);
        String component = component(pod);
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            int count = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
            out.add(new PodRestart(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), cs.getName(), node,
                    component, cp, count, lastTermination(cs)));
        }
        return out;
    }

    static PodRestart.LastTermination lastTermination(ContainerStatus cs) {
        if (cs.getLastState() == null || cs.getLastState().getTerminated() == null) {
            return null;
        }
        ContainerStateTerminated t = cs.getLastState().getTerminated();
        return new PodRestart.LastTermination(t.getReason(), t.getExitCode(), time(t.getStartedAt()),
                time(t.getFinishedAt()));
    }

    private static Instant time(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
