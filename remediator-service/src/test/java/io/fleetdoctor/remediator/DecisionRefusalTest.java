package io.fleetdoctor.remediator;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.fleetdoctor.remediator.cluster.ClusterClients;
import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.policy.PolicyService;
import io.fleetdoctor.remediator.cluster.UnknownClusterException;
import io.fleetdoctor.remediator.support.FakeRolloutController;
import io.fleetdoctor.remediator.support.Fixtures;
import io.fleetdoctor.remediator.support.TestClusterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.fleetdoctor.remediator.RemediationFlowTest.approve;
import static io.fleetdoctor.remediator.RemediationFlowTest.as;
import static io.fleetdoctor.remediator.RemediationFlowTest.plan;
import static io.fleetdoctor.remediator.RemediationFlowTest.planOf;
import static io.fleetdoctor.remediator.RemediationFlowTest.unique;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decisions are input: an unknown cluster, a foreign DaemonSet or image is refused, audited, and nothing is written. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class DecisionRefusalTest {
    @Inject
    KubernetesClient client;
    @Inject
    FakeRolloutController controller;
    @Inject
    ClusterClients clusters;
    @Inject
    ClusterRegistry registry;
    @Inject
    PolicyService policy;
    @KubernetesTestServer
    KubernetesServer server;
    @InjectKafka
    KafkaTestClient kafka;

    void send(CloudEvent<?> event) {
        kafka.sendCloudEvent(Topics.DECISIONS, event.cluster(), EventCodec.encode(event));
    }

    static CloudEvent<Decision> decision(String cluster, Decision.Recommendation rec) {
        Decision d = new Decision("flannel-iface/" + cluster, "flannel-iface", "open", "critical", 0.9,
                "test decision for " + cluster, List.of(), rec);
        return CloudEvent.of(unique("dec"), "/clusters/" + cluster + "/analyzer", Instant.now(), cluster, null, d);
    }

    static Decision.Recommendation flannelRec(String ns, String target) {
        return new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, ns, List.of("kube-flannel-ds"),
                "kube-flannel", Fixtures.BAD, target, List.of("eth0"), null, List.of());
    }

    /** The refused plan: blocked with the reason, no change, audited as decision-refused, approval 409. */
    static JsonPath assertRefused(String cluster, String reasonPart) {
        String id = planOf(cluster);
        JsonPath p = plan(id);
        assertEquals("PENDING_APPROVAL", p.getString("plan.state"), p.prettify());
        assertTrue(p.getString("plan.blockedReason").contains(reasonPart), p.prettify());
        assertEquals(0, p.getList("daemonSets").size(), p.prettify());
        List<String> refusals = QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                "planId = ?1 and action = 'decision-refused'", id).stream().map(a -> a.actor + ": " + a.detail).toList());
        assertEquals(1, refusals.size(), refusals.toString());
        assertTrue(refusals.get(0).startsWith("system: decision ") && refusals.get(0).contains(reasonPart), refusals.get(0));
        as("approver").contentType(ContentType.JSON).body(RemediationFlowTest.withHash(id, "{}")).post("/api/plans/" + id + "/approve").then()
                .statusCode(409).contentType("application/problem+json").body("detail", containsString("blocked"));
        return p;
    }

    void assertUntouched(DaemonSet before) {
        DaemonSet live = client.apps().daemonSets().inNamespace(before.getMetadata().getNamespace())
                .withName(before.getMetadata().getName()).get();
        assertEquals(before.getMetadata().getResourceVersion(), live.getMetadata().getResourceVersion());
        assertEquals(SpecJson.hash(before.getSpec()), SpecJson.hash(live.getSpec()));
    }

    /** Requests the mock API server received since the last call. */
    List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void aDecisionForAnUnregisteredClusterIsRefusedWithoutAnyCallToAnyCluster() throws Exception {
        String cluster = unique(TestClusterRegistry.UNREGISTERED + "b");
        String ns = unique("ns-unreg");
        DaemonSet seeded = controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        drainRequests();
        send(decision(cluster, flannelRec(ns, Fixtures.GOOD)));
        JsonPath p = assertRefused(cluster, "cluster " + cluster + " is not in the registry");
        assertEquals("cluster-registered", p.getString("checks[0].name"));
        // the plan was built without reading the cluster: no node list, no write (the fake controller only lists DaemonSets)
        List<String> calls = drainRequests().stream().map(r -> r.getMethod() + " " + r.getPath()).toList();
        assertTrue(calls.stream().noneMatch(c -> c.contains("/nodes") || !c.startsWith("GET")), calls.toString());
        assertThrows(UnknownClusterException.class, () -> clusters.forCluster(cluster));
        assertUntouched(seeded);
    }

    @Test
    void theRegistrysClassDecidesTheApprovalsAndThePolicyMappingIsTheFallback() {
        assertEquals("prod", policy.classOf("registry-prod"));
        assertEquals(2, policy.approvalsFor("registry-prod"));
        assertEquals(List.of("net-team", "alice"), registry.require("registry-prod").owners());
        assertEquals("#net-prod", registry.require("registry-prod").slackChannel());
        assertEquals("prod", policy.classOf("prod-dup-approver")); // policy.cluster-class only
        assertEquals("default", policy.classOf(unique("other")));
        as("viewer").get("/api/policy").then().statusCode(200)
                .body("clusters.'registry-prod'.clusterClass", org.hamcrest.Matchers.equalTo("prod"))
                .body("clusters.'registry-prod'.access", org.hamcrest.Matchers.equalTo("the service's own client"))
                .body("clusters.'registry-prod'.slackChannel", org.hamcrest.Matchers.equalTo("#net-prod"));
    }

    @Test
    void aDecisionNamingKubeProxyIsRefusedAndKubeProxyUntouched() throws Exception {
        String cluster = unique("proxy");
        DaemonSet proxy = client.apps().daemonSets().inNamespace("kube-system").withName("kube-proxy").get();
        if (proxy == null) {
            proxy = client.apps().daemonSets().inNamespace("kube-system").resource(new DaemonSetBuilder()
                    .withNewMetadata().withName("kube-proxy").withNamespace("kube-system")
                    .addToLabels("k8s-app", "kube-proxy").endMetadata()
                    .withNewSpec().withNewSelector().addToMatchLabels("k8s-app", "kube-proxy").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("k8s-app", "kube-proxy").endMetadata()
                    .withNewSpec().addNewContainer().withName("kube-proxy").withImage("registry.k8s.io/kube-proxy:v1.28.4")
                    .withCommand("/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
            proxy = controller.markRolledOut(proxy); // else the fake controller writes its first status meanwhile
        }
        Fixtures.seedNodes(client);
        drainRequests();
        send(decision(cluster, new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, "kube-system",
                List.of("kube-proxy"), "kube-proxy", "registry.k8s.io/kube-proxy:v1.28.4",
                "registry.k8s.io/kube-proxy:v1.28.5", List.of("eth0"), null, List.of())));
        JsonPath p = assertRefused(cluster, "kube-system/kube-proxy is not a flannel DaemonSet");
        assertEquals("decision-accepted", p.getString("checks[0].name"));
        List<String> writes = drainRequests().stream().filter(r -> !r.getMethod().equals("GET"))
                .map(r -> r.getMethod() + " " + r.getPath()).toList();
        assertTrue(writes.stream().noneMatch(w -> w.contains("kube-proxy")), writes.toString());
        assertUntouched(proxy);
    }

    @Test
    void aForeignTargetImageIsRefusedAndTheFlannelDaemonSetUntouched() {
        String cluster = unique("foreign");
        String ns = unique("ns-foreign");
        DaemonSet seeded = controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(decision(cluster, flannelRec(ns, "evil.example.com/flannel:v0.13.0")));
        assertRefused(cluster, "target image evil.example.com/flannel:v0.13.0 is neither the current image nor the"
                + " configured known-good v0.13.0");
        assertUntouched(seeded);
    }

    @Test
    void aShellInjectionAsInterfaceNameIsRefused() {
        String cluster = unique("iface");
        String ns = unique("ns-iface");
        DaemonSet seeded = controller.markRolledOut(Fixtures.seedDaemonSet(client, ns));
        send(decision(cluster, new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, ns,
                List.of("kube-flannel-ds"), "kube-flannel", Fixtures.BAD, Fixtures.GOOD, List.of("eth0;reboot"), null,
                List.of())));
        assertRefused(cluster, "iface: not an interface name: \"eth0;reboot\"");
        assertUntouched(seeded);
    }
}
