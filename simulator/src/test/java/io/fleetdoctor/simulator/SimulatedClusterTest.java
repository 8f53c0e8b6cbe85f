package io.fleetdoctor.simulator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts the simulator in-process and looks at it only from outside: the API (kubeconfig) and the files. */
class SimulatedClusterTest {
    private static final String NS = "kube-system";
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private SimulatedCluster sim;
    private KubernetesClient client;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private void start(String cluster, Duration restartEvery) throws IOException {
        start(Options.defaults(dir).withCluster(cluster).withRestartEvery(restartEvery));
    }

    private void start(Options o) throws IOException {
        sim = new SimulatedCluster(o, l -> {
            lines.add(l);
            System.out.println(java.time.Instant.now() + " simulator: " + l);
        });
        sim.start();
        assertTrue(Files.isRegularFile(dir.resolve("ready")));
        Config config = Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig")));
        assertEquals(sim.url() + "/", config.getMasterUrl());
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (sim != null) {
            sim.close();
            assertFalse(Files.exists(dir.resolve("ready")));
        }
    }

    @Test
    void seedsTheClusterOfTheIncident() throws Exception {
        start("sim-seed", Duration.ofMinutes(10));

        List<Node> nodes = client.nodes().list().getItems();
        assertEquals(List.of("master01", "node01", "node02"), nodes.stream().map(n -> n.getMetadata().getName()).sorted().toList());
        for (Node n : nodes) {
            assertEquals("3.10.0-1160.el7.x86_64", n.getStatus().getNodeInfo().getKernelVersion());
            assertEquals("True", n.getStatus().getConditions().get(0).getStatus());
        }
        Node master = client.nodes().withName("master01").get();
        assertEquals("192.168.10.11", master.getStatus().getAddresses().stream()
                .filter(a -> a.getType().equals("InternalIP")).findFirst().orElseThrow().getAddress());

        List<Pod> cp = client.pods().inNamespace(NS).withLabel("tier", "control-plane").list().getItems();
        assertEquals(List.of("etcd-master01", "kube-apiserver-master01", "kube-controller-manager-master01",
                "kube-scheduler-master01"), cp.stream().map(p -> p.getMetadata().getName()).sorted().toList());
        for (Pod p : cp) {
            assertEquals("Running", p.getStatus().getPhase());
            assertEquals("master01", p.getSpec().getNodeName());
            assertEquals(p.getSpec().getContainers().get(0).getName(), p.getMetadata().getLabels().get("component"));
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getRestartCount());
        }

        DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        Container flannel = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("quay.io/coreos/flannel:v0.13.1-rc1", flannel.getImage());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr"), flannel.getArgs());
        assertRolledOut(ds);
        assertEquals(3, ds.getStatus().getNumberReady());
        ConfigMap cm = client.configMaps().inNamespace(NS).withName("kube-flannel-cfg").get();
        assertTrue(cm.getData().get("net-conf.json").contains("172.20.0.0/16"));

        List<Pod> flannelPods = client.pods().inNamespace(NS).withLabel("app", "flannel").list().getItems();
        assertEquals(3, flannelPods.size());
        for (Pod p : flannelPods) {
            assertEquals("DaemonSet", p.getMetadata().getOwnerReferences().get(0).getKind());
            assertEquals(ds.getMetadata().getUid(), p.getMetadata().getOwnerReferences().get(0).getUid());
            assertTrue(p.getStatus().getContainerStatuses().get(0).getReady());
        }
        // flanneld's current log, as the collector fetches it at start
        Pod onMaster = flannelPods.stream().filter(p -> p.getSpec().getNodeName().equals("master01")).findFirst()
                .orElseThrow();
        String log = client.pods().inNamespace(NS).withName(onMaster.getMetadata().getName())
                .inContainer("kube-flannel").tailingLines(200).getLog();
        assertTrue(log.contains("Using interface with name eth1 and address 10.20.0.11"), log);

        // the node trees: every file the collector's node agent reads
        for (String node : List.of("master01", "node01", "node02")) {
            Path proc = dir.resolve("nodes").resolve(node).resolve("proc");
            Path sys = dir.resolve("nodes").resolve(node).resolve("sys");
            assertEquals("3.10.0-1160.el7.x86_64", Files.readString(proc.resolve("sys/kernel/osrelease")).trim());
            assertEquals(node, Files.readString(proc.resolve("sys/kernel/hostname")).trim());
            assertTrue(Files.readString(dir.resolve("nodes").resolve(node).resolve("agent.env"))
                    .contains("FLEETDOCTOR_COLLECTOR_PROCFS=" + proc));
        }
        NodeFiles.Inventory inv = NodeFiles.inventory(dir.resolve("nodes/node01/proc"), dir.resolve("nodes/node01/sys"));
        assertEquals(List.of("cni0", "eth0", "eth1", "flannel.1", "lo", inv.names().get(5)), inv.names());
        assertTrue(inv.names().get(5).startsWith("veth"));
        assertEquals(List.of("eth0", "eth1"), inv.physical());
        assertEquals(List.of("cni0", "eth0", "eth1", "flannel.1", "lo", inv.names().get(5)), inv.up());
        assertEquals(List.of("eth1"), inv.defaultRoute());
        assertEquals(Map.of("eth0", "192.168.10.12/24", "eth1", "10.20.0.12/24", "cni0", "172.20.1.1/24",
                "lo", "127.0.0.1/8"), inv.ipv4());

        Path proc = dir.resolve("nodes/master01/proc");
        int pid = NodeFiles.pidOf(proc, "flanneld");
        assertEquals(2231, pid);
        String stat = Files.readString(proc.resolve(pid + "/stat"));
        assertEquals("flanneld", NodeFiles.comm(stat));
        long start = NodeFiles.startTime(stat);
        assertEquals("flanneld", Files.readString(proc.resolve(pid + "/comm")).trim());
        assertTrue(NodeFiles.pidOf(proc, "kubelet") > 0);

        double rate = NodeFiles.readRate(proc, pid);
        assertTrue(rate > 20 * MIB && rate < 60 * MIB, "flanneld read_bytes rate " + rate);
        double kubelet = NodeFiles.readRate(proc, NodeFiles.pidOf(proc, "kubelet"));
        assertTrue(kubelet < 64 * 1024, "kubelet read rate " + kubelet);
        assertEquals(start, NodeFiles.startTime(Files.readString(proc.resolve(pid + "/stat"))), "stable start time");
    }

    /** The fleet run's shapes: upstream v0.28.9 bound to eth0, no restarts; and a DaemonSet as Helm labels it. */
    @Test
    void healthyScenarioHasNoIncidentAndHelmLabelsTheDaemonSet() throws Exception {
        start(Options.parse("--dir", dir.toString(), "--cluster", "sim-healthy", "--nodes", "2", "--restart-every",
                "1s", "--scenario", "healthy", "--helm"));
        DaemonSet ds = client.apps().daemonSets().inNamespace("kube-flannel").withName("kube-flannel-ds").get();
        Container flannel = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("ghcr.io/flannel-io/flannel:v0.28.9", flannel.getImage());
        assertTrue(flannel.getArgs().contains("--iface=eth0"), flannel.getArgs().toString());
        assertEquals("Helm", ds.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals(Map.of("meta.helm.sh/release-name", "flannel", "meta.helm.sh/release-namespace", "kube-flannel"),
                ds.getMetadata().getAnnotations());
        // over two restart periods nothing restarts in a healthy cluster
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> client.pods().inNamespace(NS)
                .withLabel("tier", "control-plane").list().getItems().stream()
                .allMatch(p -> p.getStatus().getContainerStatuses().get(0).getRestartCount() == 0));
        assertTrue(lines.stream().noneMatch(l -> l.contains("restarted")), lines.toString());
    }

    @Test
    void controlPlaneRestartsWithLeaderElectionLogsAtTheCollectorsPath() throws Exception {
        start("sim-restarts", Duration.ofSeconds(1));
        String pod = "kube-controller-manager-master01";

        await().atMost(Duration.ofSeconds(15)).until(() -> restarts(pod) >= 1);
        ContainerStatus cs = client.pods().inNamespace(NS).withName(pod).get().getStatus().getContainerStatuses().get(0);
        assertEquals("Error", cs.getLastState().getTerminated().getReason());
        assertEquals(255, cs.getLastState().getTerminated().getExitCode());
        assertNotNull(cs.getLastState().getTerminated().getFinishedAt());
        assertNotNull(cs.getState().getRunning().getStartedAt());

        // exactly the request the collector's fabric8 client makes (container, previous, tailLines)
        String previous = client.pods().inNamespace(NS).withName(pod).inContainer("kube-controller-manager")
                .terminated().tailingLines(200).getLog();
        assertTrue(previous.contains("leaderelection lost"), previous);
        assertTrue(previous.contains("failed to renew lease kube-system/kube-controller-manager"), previous);
        // and the documented raw path (DOMAIN.md), with the parameters in the order fabric8 sends them
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.url()
                + "/api/v1/namespaces/kube-system/pods/" + pod
                + "/log?pretty=false&container=kube-controller-manager&previous=true&tailLines=2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, raw.statusCode());
        assertEquals(2, raw.body().split("\n").length, raw.body());
        assertTrue(raw.body().endsWith("leaderelection lost\n"), raw.body());

        await().atMost(Duration.ofSeconds(15)).until(() -> restarts("kube-scheduler-master01") >= 1);
        String scheduler = client.pods().inNamespace(NS).withName("kube-scheduler-master01")
                .inContainer("kube-scheduler").terminated().tailingLines(200).getLog();
        assertTrue(scheduler.contains("leaderelection lost"), scheduler);
        // a pod that never restarted has no previous log: 400 like a real API server
        HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.url()
                + "/api/v1/namespaces/kube-system/pods/etcd-master01/log?container=etcd&previous=true")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, none.statusCode());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("kube-controller-manager restarted (restartCount 1")),
                lines.toString());
    }

    @Test
    void theRemediatorsPatchEndsTheIncidentAndARollbackBringsItBack() throws Exception {
        start("sim-fix", Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> restarts("kube-controller-manager-master01") >= 1);
        DaemonSet original = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();

        // server-side dry run (as ClusterPatcher.dryRun) changes nothing
        DaemonSet desired = withFix(original);
        client.apps().daemonSets().inNamespace(NS).resource(desired).dryRun().update();
        assertEquals("quay.io/coreos/flannel:v0.13.1-rc1", client.apps().daemonSets().inNamespace(NS)
                .withName("kube-flannel-ds").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        // apply (as ClusterPatcher.apply: replace the spec, status dropped, locked on resourceVersion)
        DaemonSet live = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        DaemonSet stored = client.apps().daemonSets().inNamespace(NS).resource(withFix(live)).update();
        // like a real API server, the PUT keeps the status (a subresource) although the body had none
        assertEquals(3, stored.getStatus().getDesiredNumberScheduled());
        assertEquals("quay.io/coreos/flannel:v0.13.0", stored.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertRolledOut(client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get()));
        DaemonSet patched = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        assertTrue(patched.getMetadata().getGeneration() > original.getMetadata().getGeneration());

        List<Pod> pods = client.pods().inNamespace(NS).withLabel("app", "flannel").list().getItems();
        assertEquals(3, pods.size());
        for (Pod p : pods) {
            assertEquals("quay.io/coreos/flannel:v0.13.0", p.getSpec().getContainers().get(0).getImage());
            String log = client.pods().inNamespace(NS).withName(p.getMetadata().getName()).inContainer("kube-flannel")
                    .getLog();
            assertTrue(log.contains("Using interface with name eth0 and address 192.168.10.1"), log);
        }
        // restarts stop: the counts stay put for several periods
        int kcm = restarts("kube-controller-manager-master01");
        int sched = restarts("kube-scheduler-master01");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() ->
                restarts("kube-controller-manager-master01") == kcm && restarts("kube-scheduler-master01") == sched);
        // flanneld is a new process whose IO is a few KiB/s
        Path proc = dir.resolve("nodes/node02/proc");
        int pid = NodeFiles.pidOf(proc, "flanneld");
        assertTrue(pid != 2233, "flanneld restarted with the new pod");
        double rate = NodeFiles.readRate(proc, pid);
        assertTrue(rate < 64 * 1024, "flanneld read rate after the fix " + rate);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("flannel DaemonSet changed (generation 2): image v0.13.0, --iface=eth0; rolling out to 3 nodes")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("flannel patched: image v0.13.0, --iface=eth0; rollout complete")
                && l.contains("restarts stopped")), lines.toString());

        // rolling back to the unbound spec brings the incident back
        DaemonSet now = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        DaemonSet back = new DaemonSetBuilder(now).build();
        back.setSpec(Serialization.clone(original.getSpec()));
        back.setStatus(null);
        client.apps().daemonSets().inNamespace(NS).resource(back).update();
        await().atMost(Duration.ofSeconds(15)).until(() -> restarts("kube-controller-manager-master01") > kcm
                || restarts("kube-scheduler-master01") > sched);
        int again = NodeFiles.pidOf(proc, "flanneld");
        assertTrue(NodeFiles.readRate(proc, again) > 20 * MIB);
    }

    @Test
    void anInterfaceNoNodeHasLeavesTheRolloutStuck() throws Exception {
        start("sim-stuck", Duration.ofMinutes(10));
        DaemonSet live = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        DaemonSet wrong = withFix(live);
        wrong.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(List.of("--ip-masq", "--kube-subnet-mgr",
                "--iface=bond0"));
        client.apps().daemonSets().inNamespace(NS).resource(wrong).update();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            DaemonSetStatus s = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get().getStatus();
            assertEquals(2L, s.getObservedGeneration());
            assertEquals(3, s.getUpdatedNumberScheduled());
            assertEquals(0, s.getNumberReady());
            assertEquals(3, s.getNumberUnavailable());
        });
        for (Pod p : client.pods().inNamespace(NS).withLabel("app", "flannel").list().getItems()) {
            ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
            assertFalse(cs.getReady());
            assertEquals("CrashLoopBackOff", cs.getState().getWaiting().getReason());
            String log = client.pods().inNamespace(NS).withName(p.getMetadata().getName()).inContainer("kube-flannel")
                    .getLog();
            assertTrue(log.contains("Failed to find interface to use that matches the interfaces and/or regexes provided"),
                    log);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("rollout stuck (3 pods crash-looping")), lines.toString());
    }

    @Test
    void aBondedNodeNeedsItsBondInTheFix() throws Exception {
        start(Options.defaults(dir).withCluster("sim-bond").withRestartEvery(Duration.ofSeconds(1))
                .withBondedNode("node02"));
        Pod onNode02 = client.pods().inNamespace(NS).withLabel("app", "flannel").list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName().equals("node02")).findFirst().orElseThrow();
        String log = client.pods().inNamespace(NS).withName(onNode02.getMetadata().getName()).inContainer("kube-flannel")
                .getLog();
        assertTrue(log.contains("Using interface with name eth2.100 and address 10.20.0.13"), "unbound: the default route's "
                + log);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("node node02: InternalIP 192.168.10.13 on bond0")),
                lines.toString());

        // --iface=eth0 alone: eth0 is a bond port without an address on node02, so flanneld exits there
        DaemonSet live = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        client.apps().daemonSets().inNamespace(NS).resource(withFix(live)).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            DaemonSetStatus st = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get().getStatus();
            assertEquals(2L, st.getObservedGeneration());
            assertEquals(3, st.getUpdatedNumberScheduled());
            assertEquals(1, st.getNumberUnavailable());
        });
        assertTrue(lines.stream().anyMatch(l -> l.contains("rollout stuck (1 pods crash-looping")
                && l.contains("node02:none")), lines.toString());

        // --iface=eth0 --iface=bond0: each node binds the interface of its InternalIP, the incident ends
        DaemonSet stuck = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
        DaemonSet both = new DaemonSetBuilder(stuck).build();
        both.setStatus(null);
        Container c = both.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> args = new ArrayList<>(c.getArgs());
        args.add("--iface=bond0");
        c.setArgs(args);
        client.apps().daemonSets().inNamespace(NS).resource(both).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertRolledOut(client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get()));
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith("flannel patched:")
                && l.contains("master01:eth0 node01:eth0 node02:bond0") && l.contains("restarts stopped")));
    }

    private static DaemonSet withFix(DaemonSet live) {
        DaemonSet copy = new DaemonSetBuilder(live).build();
        DaemonSetSpec spec = Serialization.clone(live.getSpec());
        Container c = spec.getTemplate().getSpec().getContainers().get(0);
        c.setImage("quay.io/coreos/flannel:v0.13.0");
        List<String> args = new ArrayList<>(c.getArgs());
        args.add("--iface=eth0");
        c.setArgs(args);
        spec.getTemplate().getSpec().getInitContainers().get(0).setImage("quay.io/coreos/flannel:v0.13.0");
        copy.setSpec(spec);
        copy.setStatus(null);
        return copy;
    }

    /** The remediator's rollout check (ClusterPatcher.rolledOut). */
    private static void assertRolledOut(DaemonSet ds) {
        DaemonSetStatus s = ds.getStatus();
        assertNotNull(s, "status");
        assertEquals(ds.getMetadata().getGeneration(), s.getObservedGeneration());
        assertEquals(3, s.getDesiredNumberScheduled());
        assertEquals(3, s.getUpdatedNumberScheduled());
        assertEquals(3, s.getNumberReady());
        assertEquals(3, s.getNumberAvailable());
        assertNull(s.getNumberUnavailable());
    }

    private int restarts(String pod) {
        Pod p = client.pods().inNamespace(NS).withName(pod).get();
        return p.getStatus().getContainerStatuses().get(0).getRestartCount();
    }

}
