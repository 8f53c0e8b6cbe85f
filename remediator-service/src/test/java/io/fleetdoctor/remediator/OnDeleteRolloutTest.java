package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.FakeOnDeletePods;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.fleetdoctor.remediator.RemediationFlowTest.WAIT;
import static io.fleetdoctor.remediator.RemediationFlowTest.approve;
import static io.fleetdoctor.remediator.RemediationFlowTest.awaitState;
import static io.fleetdoctor.remediator.RemediationFlowTest.plan;
import static io.fleetdoctor.remediator.RemediationFlowTest.planOf;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A DaemonSet with updateStrategy OnDelete: fleetdoctor replaces its pods one node at a time after approval. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class OnDeleteRolloutTest {
    static final String DS = "kube-flannel-ds";

    @Inject
    KubernetesClient client;
    @Inject
    FakeRolloutController controller;
    @Inject
    FakeOnDeletePods pods;
    @Inject
    InventoryService inventories;
    @InjectKafka
    KafkaTestClient kafka;

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    /** The fixture DaemonSet as extensions/v1beta1 left it: updateStrategy OnDelete. */
    DaemonSet seedOnDelete(String ns) {
        DaemonSet ds = Fixtures.fixtureDaemonSet();
        ds.getMetadata().setNamespace(ns);
        ds.getMetadata().setResourceVersion(null);
        ds.getSpec().setUpdateStrategy(new DaemonSetUpdateStrategyBuilder().withType("OnDelete").build());
        Fixtures.seedNodes(client);
        return controller.markRolledOut(client.apps().daemonSets().inNamespace(ns).resource(ds).create());
    }

    String planned(String cluster, String ns) {
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        return planOf(cluster);
    }

    static Map<String, Pod> byNode(List<Pod> list) {
        return list.stream().collect(Collectors.toMap(p -> p.getSpec().getNodeName(), p -> p));
    }

    List<String> progress(String id) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                "planId = ?1 and action = 'rollout-progress' order by id", id).stream().map(a -> a.detail).toList());
    }

    @Test
    void approvedOnDeletePlanReplacesThePodsNodeByNode() {
        String cluster = unique("ondelete");
        String ns = unique("ns-ondelete");
        DaemonSet seeded = seedOnDelete(ns);
        Set<String> seededUids = pods.manage(seeded).stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        String id = planned(cluster, ns);
        assertEquals(List.of(), pods.createdOn(ns, DS), "no pod is touched before the approval");
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.SUCCEEDED);

        DaemonSet live = client.apps().daemonSets().inNamespace(ns).withName(DS).get();
        assertEquals(Fixtures.GOOD, live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(List.of("master01", "node01", "node02"), pods.createdOn(ns, DS));
        assertEquals(1, pods.maxNodesDown(ns, DS), "never more than one node without a ready flannel pod");
        Map<String, Pod> now = byNode(pods.pods(ns));
        assertEquals(Set.copyOf(Fixtures.NODES), now.keySet());
        for (Pod p : now.values()) {
            assertTrue(!seededUids.contains(p.getMetadata().getUid()), p.getMetadata().getName());
            assertEquals(String.valueOf(live.getMetadata().getGeneration()),
                    p.getMetadata().getLabels().get("pod-template-generation"));
        }
        String ref = ns + "/" + DS;
        assertEquals(List.of(ref + ": master01 replaced and ready (1/3)", ref + ": node01 replaced and ready (2/3)",
                ref + ": node02 replaced and ready (3/3)"), progress(id));
        String verifying = plan(id).getString("history.find { it.to == 'VERIFYING' }.reason");
        assertTrue(verifying.contains(ref + ": OnDelete, pods replaced on 3 node(s) one at a time"), plan(id).prettify());
    }

    @Test
    void aReplacementThatNeverGetsReadyStopsTheRolloutAndRollsBack() {
        String cluster = unique("ondelete-fail");
        String ns = unique("ns-ondelete-fail");
        DaemonSet seeded = seedOnDelete(ns);
        Map<String, Pod> original = byNode(pods.manage(seeded));
        pods.breakNextGeneration(seeded, "node01");
        String id = planned(cluster, ns);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.ROLLED_BACK);

        String reason = plan(id).getString("history[-1].reason");
        assertTrue(reason.contains("OnDelete rollout stopped: " + ns + "/" + DS
                + ": the replacement pod on node01 was not ready within PT10S"), reason);
        DaemonSet live = client.apps().daemonSets().inNamespace(ns).withName(DS).get();
        assertEquals(SpecJson.hash(seeded.getSpec()), SpecJson.hash(live.getSpec()));
        // node02 was never reached; master01 and node01 were replaced again with the restored template, failed node first
        assertEquals(List.of("master01", "node01", "node01", "master01"), pods.createdOn(ns, DS));
        Map<String, Pod> now = byNode(pods.pods(ns));
        assertEquals(original.get("node02").getMetadata().getUid(), now.get("node02").getMetadata().getUid());
        for (String node : List.of("master01", "node01")) {
            assertEquals(String.valueOf(live.getMetadata().getGeneration()),
                    now.get(node).getMetadata().getLabels().get("pod-template-generation"), node);
        }
    }
}
