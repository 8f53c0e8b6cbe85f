package io.fleetdoctor.remediator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.NodeInterfaces;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Seeds the mock cluster from the fleetdoctor-fixtures module and builds the events the other services would send. */
public final class Fixtures {
    public static final String BAD = "quay.io/coreos/flannel:v0.13.1-rc1";
    public static final String GOOD = "quay.io/coreos/flannel:v0.13.0";
    public static final List<String> NODES = List.of("master01", "node01", "node02");

    private Fixtures() {
    }

    /** The fixture DaemonSet, created in {@code namespace}. */
    public static DaemonSet seedDaemonSet(KubernetesClient client, String namespace) {
        DaemonSet ds = fixtureDaemonSet();
        ds.getMetadata().setNamespace(namespace);
        ds.getMetadata().setResourceVersion(null);
        seedNodes(client);
        return client.apps().daemonSets().inNamespace(namespace).resource(ds).create();
    }

    public static void seedNodes(KubernetesClient client) {
        for (String n : NODES) {
            Node node = new NodeBuilder().withNewMetadata().withName(n).endMetadata()
                    .withNewStatus().withNewNodeInfo().withKernelVersion("3.10.0-1160.el7.x86_64").endNodeInfo().endStatus()
                    .build();
            client.nodes().resource(node).createOr(NonDeletingOperation::update);
        }
    }

    public static DaemonSet fixtureDaemonSet() {
        try (InputStream in = io.fleetdoctor.fixtures.Fixtures.open(io.fleetdoctor.fixtures.Fixtures.FLANNEL_MANIFEST)) {
            return io.fleetdoctor.playbooks.flannel.FlannelManifests.daemonSet(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The decision the analyzer emits for the seed incident, for {@code cluster} and {@code namespace}. */
    public static CloudEvent<Decision> decision(String id, String cluster, String namespace, String status,
                                                List<String> iface, int evidenceCount) {
        List<Decision.Evidence> evidence = new ArrayList<>();
        evidence.add(new Decision.Evidence(cluster + "-000010", "io.fleetdoctor.signal.pod-restart.v1", "master01",
                "kube-controller-manager restarted 3 times in 30 min (leaderelection lost)"));
        evidence.add(new Decision.Evidence(cluster + "-000020", "io.fleetdoctor.signal.process-io.v1", "master01",
                "flanneld read+wrote 38 MiB/s in 6 samples"));
        for (int i = 2; i < evidenceCount; i++) {
            evidence.add(new Decision.Evidence(cluster + "-0001" + i, "io.fleetdoctor.signal.process-io.v1", "node01",
                    "flanneld read+wrote 40 MiB/s (sample " + i + ")"));
        }
        Decision.Recommendation rec = new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, namespace,
                List.of("kube-flannel-ds"), "kube-flannel", BAD, GOOD, iface, null, List.of());
        Decision d = new Decision("flannel-iface/" + cluster, "flannel-iface", status, "critical", 0.9,
                "kube-controller-manager and kube-scheduler restart while flanneld hammers the disk on " + cluster
                        + "; bind flannel to eth0 and pin v0.13.0", evidence, rec);
        return CloudEvent.of(id, "/clusters/" + cluster + "/analyzer", Instant.now(), cluster, null, d);
    }

    public static CloudEvent<NodeInterfaces> inventory(String cluster, String node, String hostIp, boolean hasEth0) {
        List<NodeInterfaces.Interface> ifs = new ArrayList<>();
        ifs.add(new NodeInterfaces.Interface("lo", false, true, List.of("127.0.0.1/8"), false));
        ifs.add(new NodeInterfaces.Interface(hasEth0 ? "eth0" : "ens3", true, true, List.of(hostIp + "/24"), false));
        ifs.add(new NodeInterfaces.Interface("eth1", true, true, List.of("10.20.0.11/24"), true));
        return CloudEvent.of(UUID.randomUUID().toString(), CloudEvent.agentSource(cluster, node), Instant.now(), cluster,
                null, new NodeInterfaces(node, hostIp, "3.10.0-1160.el7.x86_64", ifs));
    }

    public static Map<String, String> basic(String user) {
        return Map.of("user", user, "password", user + "-demo");
    }
}
