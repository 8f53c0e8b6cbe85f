package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.DaemonSetListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real informer path: the pod watch ends with {@code 410 Gone}; the informer re-lists and the
 * re-list shows two restarts that happened while the watch was gone. Exactly one new
 * {@code pod-restart} (count 6) follows the baseline (4), the new watch's re-delivery of the same
 * state adds nothing, and the previous log is fetched once.
 */
class WatchGoneRelistTest {
    static final String PODS = "/api/v1/namespaces/kube-system/pods";
    static final String DAEMONSETS = "/apis/apps/v1/daemonsets";

    KubernetesMockServer server;
    ClusterWatcher watcher;
    final List<CloudEvent<?>> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.stop();
            watcher.client.close();
        }
        server.destroy();
    }

    static String watchPath(String base, String rv) {
        return base + "?allowWatchBookmarks=true&resourceVersion=" + rv + "&timeoutSeconds=600&watch=true";
    }

    @Test
    void restartsDuringAWatchGapArriveOnceAfterTheRelist() {
        server = new KubernetesMockServer(false);
        server.init();
        var kcm4 = ClusterWatcherHandlerTest.scheduler("uid-k", 4);
        var kcm6 = ClusterWatcherHandlerTest.scheduler("uid-k", 6);
        kcm4.getMetadata().setResourceVersion("10");
        kcm6.getMetadata().setResourceVersion("20");
        server.expect().get().withPath(PODS + "?resourceVersion=0")
                .andReturn(200, new PodListBuilder().withNewMetadata().withResourceVersion("10").endMetadata()
                        .withItems(kcm4).build()).once();
        server.expect().get().withPath(watchPath(PODS, "10")).andUpgradeToWebSocket().open()
                .waitFor(300).andEmit(new WatchEvent(new StatusBuilder().withCode(410).withReason("Expired")
                        .withMessage("too old resource version: 10 (15)").build(), "ERROR"))
                .done().once();
        // after 410 the informer lists afresh (no resourceVersion)
        server.expect().get().withPath(PODS)
                .andReturn(200, new PodListBuilder().withNewMetadata().withResourceVersion("20").endMetadata()
                        .withItems(kcm6).build()).once();
        // the new watch re-delivers the same state, then an etcd pod appears (a sentinel: once its baseline
        // is out, the re-delivery before it has been handled)
        var etcd = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("etcd-master01")
                .withNamespace("kube-system").withUid("uid-e").withResourceVersion("21")
                .addToLabels("component", "etcd").endMetadata().withNewSpec().withNodeName("master01").endSpec()
                .withNewStatus().addNewContainerStatus().withName("etcd").withRestartCount(0).endContainerStatus()
                .endStatus().build();
        server.expect().get().withPath(watchPath(PODS, "20")).andUpgradeToWebSocket().open().waitFor(200)
                .andEmit(new WatchEvent(kcm6, "MODIFIED")).waitFor(100).andEmit(new WatchEvent(etcd, "ADDED"))
                .waitFor(5_000).andEmit(new WatchEvent(etcd, "MODIFIED")).done().always();
        server.expect().get().withPath(DAEMONSETS + "?resourceVersion=0")
                .andReturn(200, new DaemonSetListBuilder().withMetadata(new io.fabric8.kubernetes.api.model.ListMetaBuilder().withResourceVersion("1").build())
                        .build()).always();
        server.expect().get().withPath(watchPath(DAEMONSETS, "1")).andUpgradeToWebSocket().open().waitFor(5_000)
                .andEmit(new WatchEvent(new StatusBuilder().withCode(200).build(), "BOOKMARK")).done().always();
        server.expect().get().withPath(PODS + "/kube-scheduler-master01/log"
                + "?pretty=false&container=kube-scheduler&previous=true&tailLines=200")
                .andReturn(200, "E1222 leaderelection lost\n").always();

        watcher = new ClusterWatcher();
        watcher.client = server.createClient();
        watcher.config = new SmallRyeConfigBuilder().withMapping(CollectorConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("fleetdoctor.collector.mode", "cluster",
                        "fleetdoctor.collector.cluster-id", "gone-1"), "test", 500))
                .build().getConfigMapping(CollectorConfig.class);
        watcher.sink = sent::add;
        watcher.registry = new SimpleMeterRegistry();
        watcher.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().anyMatch(e -> e.type() == EventType.CONTAINER_LOG)
                && sent.stream().anyMatch(e -> e.id().equals("pod-restart/gone-1/uid-e/etcd/0")));
        List<String> restarts = sent.stream().filter(e -> e.type() == EventType.POD_RESTART).map(CloudEvent::id).toList();
        assertEquals(List.of("pod-restart/gone-1/uid-k/kube-scheduler/4", "pod-restart/gone-1/uid-k/kube-scheduler/6",
                "pod-restart/gone-1/uid-e/etcd/0"), restarts);
        List<ContainerLog> logs = sent.stream().filter(e -> e.type() == EventType.CONTAINER_LOG)
                .map(e -> e.as(ContainerLog.class).data()).toList();
        assertEquals(1, logs.size());
        assertEquals(List.of("E1222 leaderelection lost"), logs.get(0).lines());
    }
}
