package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventData;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.ProcessIo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The node agent's logic, shared by the DaemonSet's agent ({@link NodeAgentMain}) and the {@code node-sample} command: each
 * {@link #tick} samples process IO, re-reads the interface inventory and returns the signals that
 * are due. No framework, no threads, no clock of its own; the caller passes wall and monotonic time.
 */
public final class NodeAgent {

    private final NodeAgentSettings settings;
    private final ProcessIoSampler ioSampler;
    private final InterfaceInventory inventory;
    private final String source;
    private NodeInterfaces lastInventory;
    private Instant lastInventorySent;
    private Instant lastHeartbeat;
    private ProcessIoSampler.Stats lastStats;
    private String lastInventoryError;

    public NodeAgent(NodeAgentSettings settings) {
        this(settings, message -> { });
    }

    /**
     * @param notice gets the one-line reports worth a log line: which network namespace the inventory reads
     *               (the node's through PID 1, or the agent's own), at start and whenever that changes
     */
    public NodeAgent(NodeAgentSettings settings, Consumer<String> notice) {
        this.settings = settings;
        this.ioSampler = new ProcessIoSampler(settings.procfs(), settings.watchList(), settings.topN());
        this.inventory = new InterfaceInventory(settings.procfs(), settings.sysfs(), blankToNull(settings.hostIp()),
                notice);
        this.source = CloudEvent.agentSource(settings.cluster(), settings.node());
    }

    /**
     * One sampling round. The first call only takes the IO baseline (no {@code process-io}); it
     * sends the inventory and a heartbeat.
     */
    public List<CloudEvent<?>> tick(Instant now, long nanoTime) {
        List<CloudEvent<?>> out = new ArrayList<>(3);
        ProcessIoSampler.Sample sample = ioSampler.sample(nanoTime);
        lastStats = sample.stats();
        if (sample.hasRates()) {
            ProcessIo data = new ProcessIo(settings.node(), round3(sample.intervalSeconds()), sample.processes());
            out.add(event("process-io", now, data));
        }
        NodeInterfaces inv = readInventory();
        if (inv != null) {
            boolean changed = !inv.equals(lastInventory);
            boolean stale = lastInventorySent == null
                    || !now.isBefore(lastInventorySent.plus(settings.inventoryEvery()));
            if (changed || stale) {
                out.add(event("node-interfaces", now, inv));
                lastInventory = inv;
                lastInventorySent = now;
            }
        }
        Duration hb = settings.heartbeatEvery();
        if (hb != null && !hb.isZero() && (lastHeartbeat == null || !now.isBefore(lastHeartbeat.plus(hb)))) {
            out.add(event("heartbeat", now, new Heartbeat(Heartbeat.NODE_AGENT, settings.node())));
            lastHeartbeat = now;
        }
        return out;
    }

    /** Counters of the last IO sample (processes seen, vanished, permission denied). */
    public ProcessIoSampler.Stats lastStats() {
        return lastStats;
    }

    /** Why the last inventory read failed, or null. */
    public String lastInventoryError() {
        return lastInventoryError;
    }

    private NodeInterfaces readInventory() {
        try {
            NodeInterfaces inv = new NodeInterfaces(settings.node(), blankToNull(settings.hostIp()), kernelVersion(),
                    inventory.read());
            lastInventoryError = null;
            return inv;
        } catch (IOException | RuntimeException e) {
            lastInventoryError = e.toString();
            return null;
        }
    }

    private String kernelVersion() {
        try {
            String v = new String(Files.readAllBytes(settings.procfs().resolve("sys/kernel/osrelease")),
                    StandardCharsets.UTF_8).trim();
            return v.isEmpty() ? null : v;
        } catch (IOException e) {
            return null;
        }
    }

    /** Ids are deterministic per fact (node + kind + observation time), so a re-send keeps its id. */
    private <T extends EventData> CloudEvent<T> event(String kind, Instant now, T data) {
        String id = kind + "/" + settings.cluster() + "/" + settings.node() + "/" + now.toEpochMilli();
        return CloudEvent.of(id, source, now, settings.cluster(), "node/" + settings.node(), data);
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
