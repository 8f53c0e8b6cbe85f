package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.remediator.execution.ClusterPatcher;
import io.fleetdoctor.remediator.inventory.InventoryService;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.fleetdoctor.remediator.RemediationFlowTest.WAIT;
import static io.fleetdoctor.remediator.RemediationFlowTest.approve;
import static io.fleetdoctor.remediator.RemediationFlowTest.awaitState;
import static io.fleetdoctor.remediator.RemediationFlowTest.plan;
import static io.fleetdoctor.remediator.RemediationFlowTest.planOf;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimistic concurrency: the update carries the recorded resourceVersion; rollback never overwrites a person's edit. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class ConcurrencyAndRollbackTest {
    static final String DS = "kube-flannel-ds";

    @Inject
    KubernetesClient client;
    @Inject
    FakeRolloutController controller;
    @Inject
    InventoryService inventories;
    @InjectKafka
    KafkaTestClient kafka;

    void send(String topic, CloudEvent<?> event) {
        kafka.sendCloudEvent(topic, event.cluster(), EventCodec.encode(event));
    }

    /** Seeds the DaemonSet and the inventories, sends the decision and returns the plan id. */
    String planned(String cluster, String ns) {
        controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "master01", "192.168.10.11", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node01", "192.168.10.12", true));
        send(Topics.SIGNALS, Fixtures.inventory(cluster, "node02", "192.168.10.13", true));
        await().atMost(WAIT).until(() -> inventories.interfaces(cluster).size() == 3);
        send(Topics.DECISIONS, Fixtures.decision(unique("dec"), cluster, ns, "open", List.of("eth0"), 2));
        return planOf(cluster);
    }

    DaemonSet live(String ns) {
        return client.apps().daemonSets().inNamespace(ns).withName(DS).get();
    }

    List<String> audit(String id, String action) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                "planId = ?1 and action = ?2 order by id", id, action).stream().map(a -> a.detail).toList());
    }

    @Test
    void anAnnotationWrittenAfterPlanningMakesThePlanStaleAndNothingIsWritten() {
        String cluster = unique("conflict");
        String ns = unique("ns-conflict");
        String id = planned(cluster, ns);
        String recorded = plan(id).getString("daemonSets[0].resourceVersion");
        DaemonSet annotated = client.apps().daemonSets().inNamespace(ns).withName(DS)
                .edit(ds -> {
                    ds.getMetadata().getAnnotations().put("example.com/note", "touched by a person");
                    return ds;
                });
        assertNotEquals(recorded, annotated.getMetadata().getResourceVersion());
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.STALE);
        JsonPath p = plan(id);
        assertTrue(p.getString("history[-1].reason").contains("labels or annotations changed since planning (resourceVersion "
                + recorded + " → " + annotated.getMetadata().getResourceVersion()), p.prettify());
        assertEquals(annotated.getMetadata().getResourceVersion(), live(ns).getMetadata().getResourceVersion());
        assertEquals(Fixtures.BAD, live(ns).getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(List.of(), audit(id, "apply"));
    }

    @Test
    void theApiServerRefusesAnUpdateThatCarriesAnOlderResourceVersion() {
        // what every update relies on: the mock API server, like the real one, answers 409 to a stale resourceVersion
        String ns = unique("ns-409");
        DaemonSet seeded = controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        DaemonSet annotated = client.apps().daemonSets().inNamespace(ns).withName(DS).edit(ds -> {
            ds.getMetadata().getAnnotations().put("example.com/note", "a write between read and update");
            return ds;
        });
        DaemonSet stale = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder(annotated).build();
        stale.getMetadata().setResourceVersion(seeded.getMetadata().getResourceVersion());
        stale.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(Fixtures.GOOD);
        var e = assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> client.apps().daemonSets().inNamespace(ns).resource(stale).update());
        assertEquals(409, e.getCode());
        assertEquals(SpecJson.hash(seeded.getSpec()), SpecJson.hash(live(ns).getSpec()));
    }

    @Test
    void statusWritesAfterPlanningDoNotMakeThePlanStale() {
        // the DaemonSet controller writes status (and so a new resourceVersion) whenever a flannel pod restarts
        String cluster = unique("status");
        String ns = unique("ns-status");
        String id = planned(cluster, ns);
        String recorded = plan(id).getString("daemonSets[0].resourceVersion");
        DaemonSet ds = live(ns);
        ds.getStatus().setNumberReady(2); // a flannel pod restarting
        ds.getStatus().setNumberUnavailable(1);
        DaemonSet touched = client.apps().daemonSets().inNamespace(ns).resource(ds).updateStatus();
        assertNotEquals(recorded, touched.getMetadata().getResourceVersion());
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.VERIFYING);
        assertEquals(Fixtures.GOOD, live(ns).getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(1, audit(id, "apply").size());
    }

    @Test
    void aPersonsEditDuringVerifyingIsNotOverwrittenByTheRollback() {
        String cluster = unique("hotfix");
        String ns = unique("ns-hotfix");
        String id = planned(cluster, ns);
        approve(id, "approver", "{}", 200, "APPROVED");
        awaitState(id, PlanState.VERIFYING);
        String time = Instant.now().toString();
        DaemonSet edited = client.apps().daemonSets().inNamespace(ns).withName(DS).edit(ds -> {
            List<String> args = new ArrayList<>(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
            args.replaceAll(a -> a.equals("--iface=eth0") ? "--iface=eth1" : a);
            ds.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(args);
            // what the API server records for `kubectl edit`
            ds.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl-edit")
                    .withOperation("Update").withApiVersion("apps/v1").withTime(time).withFieldsType("FieldsV1").build()));
            return ds;
        });
        String editedHash = SpecJson.hash(edited.getSpec());
        awaitState(id, PlanState.FAILED);
        String reason = plan(id).getString("history[-1].reason");
        assertTrue(reason.contains("no longer has the remediated spec"), reason);
        assertTrue(reason.contains("rollback stopped, not overwritten: " + ns + "/" + DS
                + " was changed after fleetdoctor's update (last written by kubectl-edit (Update) at " + time + ")"), reason);
        // the short diff: fleetdoctor's line removed, the person's added
        assertTrue(reason.lines().anyMatch(l -> l.startsWith("-") && l.contains("--iface=eth0")), reason);
        assertTrue(reason.lines().anyMatch(l -> l.startsWith("+") && l.contains("--iface=eth1")), reason);
        assertEquals(1, audit(id, "rollback-stopped").size());
        assertEquals(editedHash, SpecJson.hash(live(ns).getSpec()));
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth1"),
                live(ns).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
    }
}
