package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.collector.publish.SignalSink;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.playbooks.flannel.FlannelSpec;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster} mode: fabric8 informers on the control-plane pods and on every flannel DaemonSet.
 * Informers list, then watch; after a watch error or 410 Gone they re-list by themselves, and the
 * {@link RestartTracker} and the last-sent flannel config make the re-delivered objects harmless.
 * Log fetches run on their own thread so a slow API server never stalls the informer's dispatcher.
 */
@ApplicationScoped
public class ClusterWatcher {
    private static final Logger LOG = Logger.getLogger(ClusterWatcher.class);

    @Inject
    KubernetesClient client;
    @Inject
    CollectorConfig config;
    @Inject
    SignalSink sink;
    @Inject
    MeterRegistry registry;

    private final RestartTracker restarts = new RestartTracker();
    private final Map<String, FlannelConfig> lastFlannel = new ConcurrentHashMap<>();
    /** flanneld starts whose startup log was sent: pod uid/container/restartCount. */
    private final java.util.Set<String> startLogsSent = ConcurrentHashMap.newKeySet();
    /** flanneld logs its interface choice within its first second; wait a little before reading it. */
    static final long START_LOG_DELAY_MS = 3000;
    private String cluster;
    private String source;
    private SharedIndexInformer<Pod> podInformer;
    private final List<SharedIndexInformer<Pod>> flannelPodInformers = new java.util.ArrayList<>();
    private SharedIndexInformer<DaemonSet> dsInformer;
    private ExecutorService logFetcher;
    private ScheduledExecutorService heartbeat;

    /** Identity and threads; {@link #start} adds the informers and the heartbeat schedule. */
    void init() {
        cluster = config.clusterId().orElseThrow();
        source = CloudEvent.collectorSource(cluster);
        logFetcher = Executors.newSingleThreadExecutor(daemon("collector-log-fetch"));
        heartbeat = Executors.newSingleThreadScheduledExecutor(daemon("collector-heartbeat"));
    }

    public void start() {
        init();
        long resync = config.cluster().resync().toMillis();

        podInformer = client.pods().inNamespace(config.cluster().controlPlaneNamespace()).runnableInformer(resync);
        podInformer.addEventHandler(new PodHandler());
        podInformer.exceptionHandler((started, t) -> {
            LOG.warnf("control-plane pod watch failed (%s), re-listing", t.toString());
            return true; // keep retrying
        });
        // flannel pods in any namespace (kube-system in old manifests, kube-flannel since v0.20): their
        // restarts, e.g. OOMKilled, are signals of their own
        for (Map.Entry<String, String> label : FlannelSpec.POD_LABELS.entrySet()) {
            SharedIndexInformer<Pod> inf = client.pods().inAnyNamespace().withLabel(label.getKey(), label.getValue())
                    .runnableInformer(resync);
            inf.addEventHandler(new PodHandler());
            inf.exceptionHandler((started, t) -> {
                LOG.warnf("flannel pod watch failed (%s), re-listing", t.toString());
                return true;
            });
            flannelPodInformers.add(inf);
        }
        dsInformer = client.apps().daemonSets().inAnyNamespace().runnableInformer(resync);
        dsInformer.addEventHandler(new DaemonSetHandler());
        dsInformer.exceptionHandler((started, t) -> {
            LOG.warnf("DaemonSet watch failed (%s), re-listing", t.toString());
            return true;
        });
        podInformer.start();
        flannelPodInformers.forEach(SharedIndexInformer::start);
        dsInformer.start().thenRun(() -> logFetcher.execute(this::sendFlanneldStartLogs));

        long hb = config.heartbeatInterval().toMillis();
        heartbeat.scheduleAtFixedRate(this::sendHeartbeat, 0, hb, TimeUnit.MILLISECONDS);
        LOG.infof("cluster watcher started for cluster %s (control plane in %s)", cluster,
                config.cluster().controlPlaneNamespace());
    }

    @PreDestroy
    void stop() {
        if (podInformer != null) {
            podInformer.stop();
        }
        flannelPodInformers.forEach(SharedIndexInformer::stop);
        if (dsInformer != null) {
            dsInformer.stop();
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        if (logFetcher != null) {
            logFetcher.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ control-plane pods

    private final class PodHandler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            observe(pod);
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            observe(newPod);
        }

        @Override
        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            if (pod.getMetadata() != null && pod.getMetadata().getUid() != null) {
                restarts.forget(pod.getMetadata().getUid());
                startLogsSent.removeIf(k -> k.startsWith(pod.getMetadata().getUid() + "/"));
            }
        }
    }

    void observe(Pod pod) {
        try {
            if (!ControlPlanePods.isControlPlane(pod) && !FlannelSpec.isFlannelPod(pod)) {
                return;
            }
            String uid = pod.getMetadata().getUid();
            for (PodRestart r : ControlPlanePods.restarts(pod)) {
                RestartTracker.Change change = restarts.observe(uid, r.container(), r.restartCount());
                if (change == RestartTracker.Change.NONE) {
                    continue;
                }
                Instant now = Instant.now();
                String id = "pod-restart/" + cluster + "/" + uid + "/" + r.container() + "/" + r.restartCount();
                sink.publish(CloudEvent.of(id, source, now, cluster, subject(pod), r));
                if (change == RestartTracker.Change.INCREASE) {
                    logFetcher.execute(() -> sendLog(pod, r.container(), r.restartCount(), true));
                }
            }
            if (FlannelSpec.isFlannelPod(pod)) {
                noteFlanneldStart(pod);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "cannot handle pod %s", pod.getMetadata() == null ? "?" : pod.getMetadata().getName());
        }
    }

    // ------------------------------------------------------------------ flannel

    private final class DaemonSetHandler implements ResourceEventHandler<DaemonSet> {
        @Override
        public void onAdd(DaemonSet ds) {
            observe(ds);
        }

        @Override
        public void onUpdate(DaemonSet oldDs, DaemonSet newDs) {
            observe(newDs);
        }

        @Override
        public void onDelete(DaemonSet ds, boolean deletedFinalStateUnknown) {
            if (ds.getMetadata() != null && ds.getMetadata().getUid() != null) {
                lastFlannel.remove(ds.getMetadata().getUid());
            }
        }
    }

    void observe(DaemonSet ds) {
        try {
            if (!FlannelSpec.isFlannel(ds)) {
                return;
            }
            FlannelConfig fc = FlannelSpec.toConfig(ds);
            if (fc == null) {
                return;
            }
            String uid = ds.getMetadata().getUid();
            FlannelConfig before = lastFlannel.put(uid, fc);
            if (fc.equals(before)) {
                return; // resync or re-list: already sent
            }
            String id = "flannel-config/" + cluster + "/" + uid + "/" + fc.resourceVersion();
            sink.publish(CloudEvent.of(id, source, Instant.now(), cluster,
                    fc.namespace() + "/daemonset/" + fc.daemonSet(), fc));
        } catch (RuntimeException e) {
            LOG.warnf(e, "cannot handle DaemonSet %s", ds.getMetadata() == null ? "?" : ds.getMetadata().getName());
        }
    }

    /**
     * Every time flanneld starts (a new pod, a restart, or a pod already running when the watch began), its
     * startup log once, per node: what flanneld logs there about its interface is what it really does.
     */
    void noteFlanneldStart(Pod pod) {
        if (pod.getSpec() == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return;
        }
        Container c = FlannelSpec.flanneldContainer(pod.getSpec().getContainers(), null);
        if (c == null) {
            return;
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (c.getName().equals(cs.getName()) && cs.getState() != null && cs.getState().getRunning() != null) {
                int count = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                if (startLogsSent.add(pod.getMetadata().getUid() + "/" + c.getName() + "/" + count)) {
                    heartbeat.schedule(() -> logFetcher.execute(() -> sendLog(pod, c.getName(), count, false)),
                            START_LOG_DELAY_MS, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** flanneld's startup log at start for DaemonSets whose pods carry no flannel label. */
    void sendFlanneldStartLogs() {
        for (DaemonSet ds : dsInformer.getStore().list()) {
            try {
                if (!FlannelSpec.isFlannel(ds)) {
                    continue;
                }
                Container c = FlannelSpec.flanneldContainer(ds);
                if (c == null || ds.getSpec().getSelector() == null
                        || ds.getSpec().getSelector().getMatchLabels() == null) {
                    continue;
                }
                List<Pod> pods = client.pods().inNamespace(ds.getMetadata().getNamespace())
                        .withLabels(ds.getSpec().getSelector().getMatchLabels()).list().getItems();
                for (Pod pod : pods) {
                    int count = restartCount(pod, c.getName());
                    if (startLogsSent.add(pod.getMetadata().getUid() + "/" + c.getName() + "/" + count)) {
                        sendLog(pod, c.getName(), count, false);
                    }
                }
            } catch (RuntimeException e) {
                noteLogFailure(ds.getMetadata().getNamespace(), "pods of " + ds.getMetadata().getName(), "-", e);
            }
        }
    }

    private static int restartCount(Pod pod, String container) {
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (container.equals(cs.getName()) && cs.getRestartCount() != null) {
                    return cs.getRestartCount();
                }
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ logs

    void sendLog(Pod pod, String container, int restartCount, boolean previous) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        List<String> lines;
        try {
            var c = client.pods().inNamespace(ns).withName(name).inContainer(container);
            int tail = Math.min(config.cluster().logTailLines(), ContainerLog.MAX_LINES);
            if (previous) {
                try (java.io.Reader reader = c.terminated().tailingLines(tail).getLogReader()) {
                    lines = LogTail.read(reader, tail, config.cluster().logLimitBytes());
                }
            } else {
                // a startup log: its head (limitBytes counts from the start), where flanneld says what it chose
                lines = LogTail.bound(c.limitBytes(config.cluster().logLimitBytes()).getLog(), tail, true);
            }
        } catch (RuntimeException | java.io.IOException e) {
            noteLogFailure(ns, name, container, e);
            return;
        }
        String node = pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
        ContainerLog data = new ContainerLog(ns, name, container, node, previous, lines);
        String id = "container-log/" + cluster + "/" + pod.getMetadata().getUid() + "/" + container + "/"
                + restartCount + (previous ? "/previous" : "/current");
        sink.publish(CloudEvent.of(id, source, Instant.now(), cluster, subject(pod), data));
    }

    private void noteLogFailure(String ns, String pod, String container, Exception e) {
        String reason = e instanceof KubernetesClientException && ((KubernetesClientException) e).getCode() > 0
                ? String.valueOf(((KubernetesClientException) e).getCode()) : e.getClass().getSimpleName();
        registry.counter("fleetdoctor.collector.log.fetch.failures", "reason", reason).increment();
        LOG.warnf("log of %s/%s container %s not fetched (%s): %s", ns, pod, container, reason, e.getMessage());
    }

    // ------------------------------------------------------------------ heartbeat

    void sendHeartbeat() {
        try {
            Instant now = Instant.now();
            sink.publish(CloudEvent.of("heartbeat/" + cluster + "/collector/" + now.toEpochMilli(), source, now,
                    cluster, null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null)));
        } catch (RuntimeException e) {
            LOG.warnf("heartbeat failed: %s", e.toString());
        }
    }

    private static String subject(Pod pod) {
        return pod.getMetadata().getNamespace() + "/pod/" + pod.getMetadata().getName();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public RestartTracker restartTracker() {
        return restarts;
    }
}
