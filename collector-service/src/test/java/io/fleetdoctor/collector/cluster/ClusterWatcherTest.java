package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster watcher against the fabric8 mock API server (CRUD), publishing to the real embedded
 * Kafka. The application (cluster id {@code it-collector}) starts after {@link ClusterSeed} ran.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true, setup = ClusterSeed.class)
class ClusterWatcherTest {
    static final String CLUSTER = "it-collector";

    @KubernetesTestServer
    KubernetesServer server;

    @InjectKafka
    KafkaTestClient kafka;

    @Test
    void startSignalsGiveBaselinesFlannelConfigAndFlanneldLog() {
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            for (String c : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")) {
                CloudEvent<?> e = topic.await("baseline of " + c, ev -> ev.type() == EventType.POD_RESTART
                        && ev.as(PodRestart.class).data().container().equals(c));
                PodRestart r = e.as(PodRestart.class).data();
                assertTrue(r.controlPlane());
                assertEquals(c, r.component());
                assertEquals("master01", r.node());
                assertEquals(CLUSTER, e.cluster());
                assertEquals("/clusters/it-collector/collector", e.source());
            }
            // flannel pods are watched too (their OOM kills are a playbook's signal), never as control plane
            PodRestart flannel = topic.await("baseline of a flannel pod", e -> e.type() == EventType.POD_RESTART
                    && e.as(PodRestart.class).data().pod().startsWith("kube-flannel")).as(PodRestart.class).data();
            assertFalse(flannel.controlPlane(), "flannel is not control plane");
            assertEquals("kube-flannel-ds", flannel.component(), "the owning DaemonSet");

            FlannelConfig fc = topic.await("flannel-config", e -> e.type() == EventType.FLANNEL_CONFIG)
                    .as(FlannelConfig.class).data();
            assertEquals("kube-system", fc.namespace());
            assertEquals("kube-flannel-ds", fc.daemonSet());
            assertEquals("kube-flannel", fc.container());
            assertEquals("quay.io/coreos/flannel:v0.13.1-rc1", fc.image());
            assertEquals("v0.13.1-rc1", fc.version());
            assertEquals(List.of("/opt/bin/flanneld"), fc.command());
            assertTrue(fc.env().isEmpty(), "POD_NAME / POD_NAMESPACE come from the downward API, not literals");

            ContainerLog log = topic.await("flanneld start log", e -> e.type() == EventType.CONTAINER_LOG
                    && !e.as(ContainerLog.class).data().previous()).as(ContainerLog.class).data();
            assertEquals(ClusterSeed.FLANNEL_POD, log.pod());
            assertEquals(Fixtures.lines("logs/kube-flannel-start.log"), log.lines());
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("Using interface with name eth1")));

            topic.await("heartbeat", e -> e.type() == EventType.HEARTBEAT);
        }
    }

    @Test
    void controllerManagerRestartGivesPodRestartAndPreviousLog() {
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            topic.await("baseline", e -> isRestartOf(e, ClusterSeed.KCM, ClusterSeed.KCM_BASELINE));

            bumpRestartCount(ClusterSeed.KCM, "2020-12-22T13:36:05Z", "2020-12-22T13:41:23Z");

            CloudEvent<?> restart = topic.await("restart", e -> isRestartOf(e, ClusterSeed.KCM,
                    ClusterSeed.KCM_BASELINE + 1));
            PodRestart r = restart.as(PodRestart.class).data();
            assertEquals("kube-controller-manager", r.component());
            assertEquals("Error", r.lastTermination().reason());
            assertEquals(255, r.lastTermination().exitCode());
            assertEquals("kube-system/pod/" + ClusterSeed.KCM, restart.subject());

            ContainerLog log = topic.await("previous log", e -> e.type() == EventType.CONTAINER_LOG
                    && e.as(ContainerLog.class).data().previous()
                    && e.as(ContainerLog.class).data().pod().equals(ClusterSeed.KCM)).as(ContainerLog.class).data();
            assertEquals("kube-controller-manager", log.container());
            assertEquals(Fixtures.lines("logs/kube-controller-manager-previous.log"), log.lines());

            // the increase is sent once: the informer's resync / re-delivery does not repeat it
            long sent = topic.seen().stream().filter(e -> isRestartOf(e, ClusterSeed.KCM, ClusterSeed.KCM_BASELINE + 1))
                    .count();
            assertEquals(1, sent);
        }
    }

    @Test
    void unfetchableLogIsNotedNotFatal() {
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            bumpRestartCount(ClusterSeed.SCHEDULER, "2020-12-22T13:28:10Z", "2020-12-22T13:41:23Z");
            topic.await("scheduler restart", e -> isRestartOf(e, ClusterSeed.SCHEDULER, 3));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                    .statusCode(200).body(containsString("fleetdoctor_collector_log_fetch_failures_total{reason=\"404\"")));
        }
    }

    @Test
    void editingTheDaemonSetArgsGivesANewFlannelConfig() {
        KubernetesClient client = server.getClient();
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            FlannelConfig before = topic.await("initial flannel-config", e -> e.type() == EventType.FLANNEL_CONFIG)
                    .as(FlannelConfig.class).data();
            assertEquals(List.of("--ip-masq", "--kube-subnet-mgr"), before.args());

            client.apps().daemonSets().inNamespace("kube-system").withName("kube-flannel-ds").edit(ds -> {
                ds.getSpec().getTemplate().getSpec().getContainers().get(0)
                        .setArgs(new ArrayList<>(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0")));
                return ds;
            });

            FlannelConfig after = topic.await("edited flannel-config", e -> e.type() == EventType.FLANNEL_CONFIG
                    && e.as(FlannelConfig.class).data().args().contains("--iface=eth0")).as(FlannelConfig.class).data();
            assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), after.args());
            assertNotEquals(before.resourceVersion(), after.resourceVersion());
            assertEquals(3, after.desiredNodes());
            assertFalse(after.image().isEmpty());
        }
    }

    /** A flannel pod of its own namespace starts, then is OOM-killed: its restart and each start's log are sent. */
    @Test
    void flannelPodStartsAndOomKillsAreSignals() {
        KubernetesClient client = server.getClient();
        String pod = "kube-flannel-ds-oom01";
        String logPath = "/api/v1/namespaces/kube-flannel/pods/" + pod + "/log?pretty=false&container=kube-flannel"
                + "&limitBytes=262144";
        server.expect().get().withPath(logPath).andReturn(200, Fixtures.text("logs/kube-flannel-start.log")).always();
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            client.pods().inNamespace("kube-flannel").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName(pod).withNamespace("kube-flannel").withUid("oom01-uid")
                    .addToLabels("app", "flannel").addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                    .withName("kube-flannel-ds").withUid("ds-uid").withController(true).endOwnerReference().endMetadata()
                    .withNewSpec().withNodeName("node01").addNewContainer().withName("kube-flannel")
                    .withImage("docker.io/flannel/flannel:v0.26.1").withCommand("/opt/bin/flanneld").endContainer()
                    .endSpec().withNewStatus().withPhase("Running").addNewContainerStatus().withName("kube-flannel")
                    .withRestartCount(0).withNewState().withNewRunning().withStartedAt("2026-11-30T10:00:00Z")
                    .endRunning().endState().endContainerStatus().endStatus().build()).create();

            ContainerLog start = topic.await("startup log of the new pod", e -> e.type() == EventType.CONTAINER_LOG
                    && e.as(ContainerLog.class).data().pod().equals(pod)).as(ContainerLog.class).data();
            assertFalse(start.previous());
            assertEquals("node01", start.node());
            assertEquals(Fixtures.lines("logs/kube-flannel-start.log"), start.lines(), "the head of the log");

            Pod p = client.pods().inNamespace("kube-flannel").withName(pod).get();
            ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
            cs.setRestartCount(1);
            cs.setLastState(new ContainerStateBuilder().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                    .withStartedAt("2026-11-30T10:00:00Z").withFinishedAt("2026-11-30T10:05:00Z").endTerminated().build());
            cs.setState(new ContainerStateBuilder().withNewRunning().withStartedAt("2026-11-30T10:05:01Z").endRunning()
                    .build());
            client.pods().inNamespace("kube-flannel").resource(p).updateStatus();

            PodRestart oom = topic.await("OOM kill", e -> isRestartOf(e, pod, 1)).as(PodRestart.class).data();
            assertEquals("OOMKilled", oom.lastTermination().reason());
            assertFalse(oom.controlPlane());
            assertEquals("kube-flannel-ds", oom.component());
            topic.await("startup log after the restart", e -> e.type() == EventType.CONTAINER_LOG
                    && e.as(ContainerLog.class).data().pod().equals(pod) && !e.as(ContainerLog.class).data().previous()
                    && e.id().endsWith("/1/current"));
        }
    }

    private static boolean isRestartOf(CloudEvent<?> e, String pod, int count) {
        return e.type() == EventType.POD_RESTART && e.as(PodRestart.class).data().pod().equals(pod)
                && e.as(PodRestart.class).data().restartCount() == count;
    }

    private void bumpRestartCount(String podName, String startedAt, String finishedAt) {
        KubernetesClient client = server.getClient();
        Pod pod = client.pods().inNamespace("kube-system").withName(podName).get();
        ContainerStatus cs = pod.getStatus().getContainerStatuses().get(0);
        cs.setRestartCount(cs.getRestartCount() + 1);
        cs.setLastState(new ContainerStateBuilder().withNewTerminated().withReason("Error").withExitCode(255)
                .withStartedAt(startedAt).withFinishedAt(finishedAt).endTerminated().build());
        client.pods().inNamespace("kube-system").resource(pod).updateStatus();
    }
}
