package io.fleetdoctor.collector.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything the node agent needs, independent of how it was configured (the environment for the
 * DaemonSet's {@link NodeAgentMain}, command-line options for {@code node-sample}).
 *
 * @param inventoryEvery the inventory is re-sent at least this often even when unchanged
 * @param heartbeatEvery a heartbeat at least this often; {@code null} or zero disables heartbeats
 */
public record NodeAgentSettings(String cluster, String node, String hostIp, Path procfs, Path sysfs,
                                Set<String> watchList, int topN, Duration inventoryEvery,
                                Duration heartbeatEvery) {
    public static final Set<String> DEFAULT_WATCH_LIST = Set.of("flanneld");
    public static final int DEFAULT_TOP_N = 10;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_INVENTORY_EVERY = Duration.ofMinutes(10);
    public static final Duration DEFAULT_HEARTBEAT_EVERY = Duration.ofSeconds(30);

    public NodeAgentSettings {
        watchList = Set.copyOf(watchList);
    }

    /** The host name of the procfs root (so a fixture tree can name its node), else this machine's. */
    public static String hostName(Path procfs) {
        for (Path p : List.of(procfs.resolve("sys/kernel/hostname"), Path.of("/proc/sys/kernel/hostname"))) {
            try {
                String h = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            } catch (IOException e) {
                // try the next
            }
        }
        return null;
    }
}
