package io.fleetdoctor.collector.config;

import io.fleetdoctor.events.EventCodec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up validation of the collector's settings, shared by the Quarkus cluster watcher, the node agent
 * (NodeAgentMain) and the {@code node-sample} command. Every problem is one message that names the key and says what is
 * expected; an empty list means the settings are usable.
 */
public final class ConfigCheck {
    public static final String MODE_CLUSTER = "cluster";
    public static final String MODE_NODE = "node";

    /**
     * Where the node agent's inventory finds the network files, best first (the node agent's NetDir; repeated
     * here because config must not depend on the node package).
     */
    static final List<String> NET_DIRS = List.of("1/net", "self/net", "net");

    private ConfigCheck() {
    }

    /**
     * The Quarkus application's mode: {@code cluster} only. The node agent is the plain-Java NodeAgentMain, which
     * accepts {@value #MODE_NODE} (the DaemonSet's ConfigMap still says so).
     */
    public static List<String> mode(String mode) {
        List<String> errors = new ArrayList<>();
        if (mode == null || mode.isBlank()) {
            errors.add("fleetdoctor.collector.mode is not set: use 'cluster' (one watcher per cluster; the node agent "
                    + "is io.fleetdoctor.collector.node.NodeAgentMain)");
        } else if (MODE_NODE.equals(mode)) {
            errors.add("fleetdoctor.collector.mode='node': the node agent is not this application but "
                    + "io.fleetdoctor.collector.node.NodeAgentMain (plain Java, see collector-service/README.md)");
        } else if (!MODE_CLUSTER.equals(mode)) {
            errors.add("fleetdoctor.collector.mode='" + mode + "' is unknown: use 'cluster'");
        }
        return errors;
    }

    public static List<String> clusterId(String clusterId) {
        List<String> errors = new ArrayList<>();
        if (clusterId == null || clusterId.isBlank()) {
            errors.add("fleetdoctor.collector.cluster-id is not set (env FLEETDOCTOR_COLLECTOR_CLUSTER_ID): "
                    + "every signal is keyed by it");
        } else if (!EventCodec.CLUSTER_ID.matcher(clusterId).matches()) {
            errors.add("fleetdoctor.collector.cluster-id='" + clusterId + "' is not a valid cluster id: lower-case "
                    + "letters, digits, '-' and '.', starting and ending with a letter or digit, at most 63 chars ("
                    + EventCodec.CLUSTER_ID.pattern() + ")");
        }
        return errors;
    }

    /** The node agent's name and its procfs / sysfs roots. */
    public static List<String> node(String nodeName, Path procfs, Path sysfs) {
        List<String> errors = new ArrayList<>();
        if (nodeName == null || nodeName.isBlank()) {
            errors.add("fleetdoctor.collector.node-name is not set (env NODE_NAME from the downward API "
                    + "spec.nodeName)");
        }
        if (procfs == null || !Files.isDirectory(procfs)) {
            errors.add("fleetdoctor.collector.procfs='" + procfs + "' is not a directory");
        } else if (NET_DIRS.stream().noneMatch(d -> Files.isReadable(procfs.resolve(d).resolve("route")))) {
            errors.add("fleetdoctor.collector.procfs='" + procfs + "' does not look like a procfs root: "
                    + procfs.resolve("1/net/route") + " (the node's network, through PID 1), "
                    + procfs.resolve("self/net/route") + " and " + procfs.resolve("net/route")
                    + " are all missing or unreadable");
        }
        if (sysfs == null || !Files.isDirectory(sysfs)) {
            errors.add("fleetdoctor.collector.sysfs='" + sysfs + "' is not a directory");
        } else if (!Files.isDirectory(sysfs.resolve("class").resolve("net"))) {
            errors.add("fleetdoctor.collector.sysfs='" + sysfs + "' does not look like a sysfs root: "
                    + sysfs.resolve("class/net") + " is missing");
        }
        return errors;
    }
}
