package io.fleetdoctor.remediator.web;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.infra.KafkaTestClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the browser test needs from the cluster and the analyzer: the fixture flannel DaemonSet in its own
 * namespace, three nodes, and the analyzer's decision for the seed incident on the decisions topic.
 */
final class WebFixtures {
    static final String BAD = "v0.13.1-rc1";
    static final String GOOD = "v0.13.0";

    private WebFixtures() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Nodes without an interface inventory for the test's cluster: the plan then needs an iface override. */
    static void seedNodes(KubernetesClient client) {
        for (String n : List.of("master01", "node01", "node02")) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata()
                    .withNewStatus().withNewNodeInfo().withKernelVersion("3.10.0-1160.el7.x86_64").endNodeInfo().endStatus()
                    .build()).createOr(NonDeletingOperation::update);
        }
    }

    static DaemonSet seedDaemonSet(KubernetesClient client, String namespace) {
        try (InputStream in = Fixtures.open(Fixtures.FLANNEL_MANIFEST)) {
            DaemonSet ds = io.fleetdoctor.playbooks.flannel.FlannelManifests.daemonSet(in);
            ds.getMetadata().setNamespace(namespace);
            ds.getMetadata().setResourceVersion(null);
            return client.apps().daemonSets().inNamespace(namespace).resource(ds).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The analyzer's decision for the seed incident (flannel on the wrong NIC), as the analyzer would publish it. */
    static void publishDecision(KafkaTestClient kafka, String cluster, String namespace) {
        publishDecision(kafka, cluster, namespace, List.of());
    }

    /** As above, with one more process-io fact on each of {@code moreNodes}. */
    static void publishDecision(KafkaTestClient kafka, String cluster, String namespace, List<String> moreNodes) {
        List<Decision.Evidence> evidence = new java.util.ArrayList<>(List.of(
                new Decision.Evidence(cluster + "-000010", "io.fleetdoctor.signal.pod-restart.v1", "master01",
                        "kube-controller-manager restarted 3 times in 30 min (leaderelection lost)"),
                new Decision.Evidence(cluster + "-000020", "io.fleetdoctor.signal.process-io.v1", "master01",
                        "flanneld read+wrote 38 MiB/s in 6 samples")));
        for (String n : moreNodes) {
            evidence.add(new Decision.Evidence(cluster + "-" + n, "io.fleetdoctor.signal.process-io.v1", n,
                    "flanneld read+wrote 41 MiB/s on " + n));
        }
        Decision.Recommendation rec = new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, namespace,
                List.of("kube-flannel-ds"), "kube-flannel", "quay.io/coreos/flannel:" + BAD, "quay.io/coreos/flannel:" + GOOD,
                List.of("eth0"), null, List.of());
        Decision d = new Decision("flannel-iface/" + cluster, "flannel-iface", Decision.OPEN, "critical", 0.9,
                "control plane restarts while flanneld hammers the disk on " + cluster + "; bind flannel to eth0, pin " + GOOD,
                evidence, rec);
        CloudEvent<Decision> event = CloudEvent.of(unique("dec"), "/clusters/" + cluster + "/analyzer", Instant.now(),
                cluster, null, d);
        kafka.sendCloudEvent(Topics.DECISIONS, cluster, EventCodec.encode(event));
    }
}
