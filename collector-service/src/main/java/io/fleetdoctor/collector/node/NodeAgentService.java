package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.config.CollectorConfig;
import io.fleetdoctor.collector.publish.SignalSink;
import io.fleetdoctor.events.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code node} mode: runs {@link NodeAgent#tick} every interval on one thread and hands the signals to
 * the {@link SignalSink}. A failing tick is logged and counted; the schedule goes on (an exception
 * escaping a {@code scheduleAtFixedRate} task would silently cancel all later runs).
 */
@ApplicationScoped
public class NodeAgentService {
    private static final Logger LOG = Logger.getLogger(NodeAgentService.class);

    @Inject
    CollectorConfig config;
    @Inject
    SignalSink sink;
    @Inject
    MeterRegistry registry;

    private ScheduledExecutorService scheduler;
    private NodeAgent agent;
    private final AtomicReference<ProcessIoSampler.Stats> stats = new AtomicReference<>();

    public void start(String nodeName) {
        NodeAgentSettings settings = new NodeAgentSettings(config.clusterId().orElseThrow(), nodeName,
                config.hostIp().orElse(null), config.procfs(), config.sysfs(), new HashSet<>(config.watchList()),
                config.topN(), config.inventoryInterval(), config.heartbeatInterval());
        agent = new NodeAgent(settings, LOG::info);
        registry.gauge("fleetdoctor.collector.node.processes", stats, s -> s.get() == null ? 0 : s.get().processes());
        registry.gauge("fleetdoctor.collector.node.permission.denied", stats,
                s -> s.get() == null ? 0 : s.get().permissionDenied());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-agent");
            t.setDaemon(true);
            return t;
        });
        long every = config.interval().toMillis();
        scheduler.scheduleAtFixedRate(this::tick, 0, every, TimeUnit.MILLISECONDS);
        LOG.infof("node agent started: cluster %s node %s procfs %s sysfs %s every %s", settings.cluster(),
                nodeName, settings.procfs(), settings.sysfs(), config.interval());
    }

    void tick() {
        try {
            List<CloudEvent<?>> events = agent.tick(Instant.now(), System.nanoTime());
            stats.set(agent.lastStats());
            registry.counter("fleetdoctor.collector.node.ticks").increment();
            for (CloudEvent<?> e : events) {
                sink.publish(e);
            }
            if (agent.lastInventoryError() != null) {
                LOG.warnf("interface inventory not read: %s", agent.lastInventoryError());
            }
        } catch (Throwable t) {
            registry.counter("fleetdoctor.collector.node.tick.failures").increment();
            LOG.warnf(t, "node sample failed");
        }
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
