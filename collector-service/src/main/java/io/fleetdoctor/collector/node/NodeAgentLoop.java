package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.metrics.TextMetrics;
import io.fleetdoctor.collector.publish.SignalSink;
import io.fleetdoctor.events.CloudEvent;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One scheduled run of the node agent: {@link NodeAgent#tick}, then every signal to the sink. A failing tick is
 * logged and counted and never escapes (an exception out of a {@code scheduleAtFixedRate} task cancels every later
 * run). Keeps the times the health checks look at.
 */
final class NodeAgentLoop implements Runnable {
    private final NodeAgent agent;
    private final SignalSink sink;
    private final Consumer<String> warn;
    private final LongAdder ticks;
    private final LongAdder failures;
    private volatile ProcessIoSampler.Stats stats;
    /** System.nanoTime() at the end of the last tick and of the last successful one; 0 = none yet. */
    private volatile long lastTick;
    private volatile long lastSuccess;
    private volatile String lastError;
    private long lastInventoryLog;

    NodeAgentLoop(NodeAgent agent, SignalSink sink, TextMetrics metrics, Consumer<String> warn) {
        this.agent = agent;
        this.sink = sink;
        this.warn = warn;
        this.ticks = metrics.counter("fleetdoctor.collector.node.ticks");
        this.failures = metrics.counter("fleetdoctor.collector.node.tick.failures");
        metrics.gauge("fleetdoctor.collector.node.processes", () -> stats == null ? 0 : stats.processes());
        metrics.gauge("fleetdoctor.collector.node.permission.denied", () -> stats == null ? 0 : stats.permissionDenied());
    }

    @Override
    public void run() {
        try {
            List<CloudEvent<?>> events = agent.tick(Instant.now(), System.nanoTime());
            stats = agent.lastStats();
            ticks.increment();
            for (CloudEvent<?> e : events) {
                sink.publish(e);
            }
            String inventoryError = agent.lastInventoryError();
            long now = System.nanoTime();
            // the inventory is retried every tick; its error is worth a line a minute, not one per tick
            if (inventoryError != null && (lastInventoryLog == 0 || now - lastInventoryLog > 60_000_000_000L)) {
                warn.accept("interface inventory not read: " + inventoryError);
                lastInventoryLog = now;
            }
            lastError = null;
            lastSuccess = now;
        } catch (Throwable t) {
            failures.increment();
            lastError = t.toString();
            warn.accept("node sample failed: " + t);
        } finally {
            lastTick = System.nanoTime();
        }
    }

    long lastTick() {
        return lastTick;
    }

    long lastSuccess() {
        return lastSuccess;
    }

    String lastError() {
        return lastError;
    }

    ProcessIoSampler.Stats stats() {
        return stats;
    }
}
