package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.PodRestart;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The informer handlers of {@link ClusterWatcher} fed the way an informer feeds them after a watch
 * error or 410 Gone: the re-list delivers every object again (as add or update), possibly with
 * counts that moved while the watch was down.
 */
class ClusterWatcherHandlerTest {
    KubernetesMockServer server;
    ClusterWatcher watcher;
    final List<CloudEvent<?>> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        server = new KubernetesMockServer(false);
        server.init();
        server.expect().get().withPath("/api/v1/namespaces/kube-system/pods/kube-scheduler-master01/log"
                + "?pretty=false&container=kube-scheduler&previous=true&tailLines=200")
                .andReturn(200, "I1222 first\nE1222 Failed to update lock: etcdserver: request timed out\n").always();
        watcher = new ClusterWatcher();
        watcher.client = server.createClient();
        watcher.config = new SmallRyeConfigBuilder().withMapping(CollectorConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("fleetdoctor.collector.mode", "cluster",
                        "fleetdoctor.collector.cluster-id", "relist-1"), "test", 500))
                .build().getConfigMapping(CollectorConfig.class);
        watcher.sink = sent::add;
        watcher.registry = new SimpleMeterRegistry();
        watcher.init();
    }

    @AfterEach
    void tearDown() {
        watcher.stop();
        watcher.client.close();
        server.destroy();
    }

    static Pod scheduler(String uid, int restarts) {
        Pod pod = new PodBuilder().withNewMetadata().withName("kube-scheduler-master01").withNamespace("kube-system")
                .withUid(uid).addToLabels("component", "kube-scheduler").addToLabels("tier", "control-plane")
                .endMetadata().withNewSpec().withNodeName("master01").endSpec()
                .withNewStatus().addNewContainerStatus().withName("kube-scheduler").withRestartCount(restarts)
                .endContainerStatus().endStatus().build();
        if (restarts > 0) {
            pod.getStatus().getContainerStatuses().get(0).setLastState(new ContainerStateBuilder().withNewTerminated()
                    .withReason("Error").withExitCode(1).endTerminated().build());
        }
        return pod;
    }

    @Test
    void reListNeitherDuplicatesNorLosesRestartIncreases() {
        watcher.observe(scheduler("uid-a", 2));   // initial list: baseline
        watcher.observe(scheduler("uid-a", 2));   // resync / re-list with nothing new
        watcher.observe(scheduler("uid-a", 5));   // re-list after 410: three restarts happened during the gap
        watcher.observe(scheduler("uid-a", 5));   // and the watch then re-delivers the same state
        watcher.observe(scheduler("uid-b", 0));   // the static pod was recreated: new uid, new baseline

        await().atMost(Duration.ofSeconds(20)).until(() -> sent.stream().anyMatch(e -> e.type() == EventType.CONTAINER_LOG));
        List<String> restarts = sent.stream().filter(e -> e.type() == EventType.POD_RESTART).map(e -> e.id()).toList();
        assertEquals(List.of(
                "pod-restart/relist-1/uid-a/kube-scheduler/2",
                "pod-restart/relist-1/uid-a/kube-scheduler/5",
                "pod-restart/relist-1/uid-b/kube-scheduler/0"), restarts);
        PodRestart five = sent.stream().filter(e -> e.id().endsWith("uid-a/kube-scheduler/5")).findFirst().orElseThrow()
                .as(PodRestart.class).data();
        assertEquals(5, five.restartCount());
        assertEquals("Error", five.lastTermination().reason());

        List<CloudEvent<?>> logs = sent.stream().filter(e -> e.type() == EventType.CONTAINER_LOG).toList();
        assertEquals(1, logs.size(), "one previous log for the one observed increase");
        assertEquals("container-log/relist-1/uid-a/kube-scheduler/5/previous", logs.get(0).id());
        assertEquals(List.of("I1222 first", "E1222 Failed to update lock: etcdserver: request timed out"),
                logs.get(0).as(ContainerLog.class).data().lines());
    }

    @Test
    void flannelConfigIsSentOncePerChange() {
        DaemonSet ds = ClusterModelTest.ds("kube-flannel-ds", Map.of("app", "flannel"), "quay.io/coreos/flannel:v0.13.1-rc1",
                List.of("/opt/bin/flanneld"), List.of("--ip-masq", "--kube-subnet-mgr"));
        watcher.observe(ds);
        watcher.observe(ds); // re-list
        ds.getStatus().setNumberReady(3);
        ds.getMetadata().setResourceVersion("43");
        watcher.observe(ds);
        List<FlannelConfig> configs = sent.stream().filter(e -> e.type() == EventType.FLANNEL_CONFIG)
                .map(e -> e.as(FlannelConfig.class).data()).toList();
        assertEquals(2, configs.size());
        assertEquals(List.of(2, 3), configs.stream().map(FlannelConfig::readyNodes).toList());
        assertEquals(List.of("flannel-config/relist-1/u/42", "flannel-config/relist-1/u/43"), sent.stream()
                .filter(e -> e.type() == EventType.FLANNEL_CONFIG).map(CloudEvent::id).toList());
    }
}
