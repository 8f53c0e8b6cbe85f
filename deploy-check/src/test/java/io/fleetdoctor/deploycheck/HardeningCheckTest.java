package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static io.fleetdoctor.deploycheck.Overlays.find;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hardening check must catch each missing control. Each test breaks one thing in a built overlay. */
class HardeningCheckTest {

    private final List<HasMetadata> prod = Overlays.build("prod");

    private PodSpec pod(String name) {
        return find(prod, Deployment.class, "fleetdoctor", name).getSpec().getTemplate().getSpec();
    }

    private Container container(String name) {
        return pod(name).getContainers().get(0);
    }

    private PodSpec agentPod() {
        return find(prod, DaemonSet.class, "fleetdoctor-node", "collector-node").getSpec().getTemplate().getSpec();
    }

    @Test
    void probesAreRequired() {
        container("remediator").setReadinessProbe(null);
        container("analyzer").setLivenessProbe(null);
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "remediator container remediator: no readinessProbe");
        assertReported(problems, "analyzer container analyzer: no livenessProbe");
    }

    @Test
    void requestsAndLimitsAreRequired() {
        container("collector").getResources().getLimits().remove("memory");
        assertReported(HardeningCheck.check(prod), "collector container collector: no memory limits");
    }

    @Test
    void servicesRunAsNonRoot() {
        container("analyzer").getSecurityContext().setRunAsNonRoot(null);
        pod("analyzer").getSecurityContext().setRunAsNonRoot(false);
        assertReported(HardeningCheck.check(prod), "analyzer container analyzer: runAsNonRoot is not true");
    }

    @Test
    void rootFilesystemIsReadOnlyWithTmp() {
        container("remediator").getSecurityContext().setReadOnlyRootFilesystem(false);
        container("analyzer").getVolumeMounts().clear();
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "remediator container remediator: readOnlyRootFilesystem is not true");
        assertReported(problems, "analyzer container analyzer: read-only root filesystem without an emptyDir at /tmp");
    }

    @Test
    void noPrivilegeEscalationAndNoCapabilities() {
        container("collector").getSecurityContext().setAllowPrivilegeEscalation(null);
        container("remediator").getSecurityContext().getCapabilities().getAdd().add("NET_ADMIN");
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "collector container collector: allowPrivilegeEscalation is not false");
        assertReported(problems, "remediator container remediator: adds capabilities [NET_ADMIN] (none allowed)");
    }

    @Test
    void nodeAgentGetsSysPtraceOnly() {
        agentPod().getContainers().get(0).getSecurityContext().getCapabilities().getAdd().add("SYS_ADMIN");
        assertReported(HardeningCheck.check(prod), "adds capabilities [SYS_PTRACE, SYS_ADMIN] (the node agent may add SYS_PTRACE only)");
    }

    @Test
    void hostMountsAreReadOnlyAndOnlyProcAndSys() {
        agentPod().getContainers().get(0).getVolumeMounts().get(0).setReadOnly(false);
        agentPod().getVolumes().add(new VolumeBuilder().withName("root").withNewHostPath().withPath("/").endHostPath().build());
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "host mount /host/proc is not readOnly");
        assertReported(problems, "hostPath / (only /proc and /sys, only for the node agent)");
    }

    @Test
    void onlyTheNodeAgentUsesHostNamespaces() {
        pod("analyzer").setHostPID(true);
        pod("remediator").setHostNetwork(true);
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "Deployment fleetdoctor/analyzer: hostPID is only for the node agent");
        assertReported(problems, "Deployment fleetdoctor/remediator: hostNetwork");
    }

    @Test
    void noWorkloadUsesHostIpc() {
        agentPod().setHostIPC(true);
        assertReported(HardeningCheck.check(prod), "DaemonSet fleetdoctor-node/collector-node: hostIPC");
    }

    @Test
    void noWorkloadUsesTheHostNetworkNotEvenTheNodeAgent() {
        assertEquals(List.of(), HardeningCheck.check(prod), "the manifests as they are");
        agentPod().setHostNetwork(true);
        assertReported(HardeningCheck.check(prod), "DaemonSet fleetdoctor-node/collector-node: hostNetwork (no workload"
                + " needs the node's network namespace; the node agent reads it through <procfs>/1/net with hostPID)");
    }

    @Test
    void nodeAgentReadsTheNodesNetworkThroughHostPid() {
        agentPod().setHostPID(false);
        assertReported(HardeningCheck.check(prod), "DaemonSet fleetdoctor-node/collector-node: the node agent needs"
                + " hostPID (the host's processes, and the node's network through <procfs>/1/net)");
    }

    @Test
    void nodeAgentNeedsDownwardApiAndControlPlaneToleration() {
        agentPod().getTolerations().removeIf(t -> "node-role.kubernetes.io/control-plane".equals(t.getKey()));
        agentPod().getContainers().get(0).getEnv().removeIf(e -> e.getName().equals("HOST_IP"));
        List<String> problems = HardeningCheck.check(prod);
        assertReported(problems, "does not tolerate control-plane nodes");
        assertReported(problems, "HOST_IP must come from the downward API status.hostIP");
    }
}
