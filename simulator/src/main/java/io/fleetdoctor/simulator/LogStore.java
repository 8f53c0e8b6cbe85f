package io.fleetdoctor.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Container logs the simulated API server serves on {@code GET .../pods/<pod>/log}: per pod, its
 * containers, each with a current and (after a restart) a previous log. Thread-safe (every method
 * synchronized): written by the scenario thread, read by the HTTP server's threads.
 */
public final class LogStore {

    /** The logs of one container. {@code previous} is null until the container restarted once. */
    public record ContainerLogs(String current, String previous) {
    }

    private final Map<String, Map<String, ContainerLogs>> pods = new java.util.HashMap<>();

    private static String key(String namespace, String pod) {
        return namespace + "/" + pod;
    }

    /** Registers a pod and its containers (in spec order, so the first is the default container). */
    public synchronized void addPod(String namespace, String pod, Map<String, ContainerLogs> containers) {
        pods.put(key(namespace, pod), new java.util.LinkedHashMap<>(containers));
    }

    public synchronized void removePod(String namespace, String pod) {
        pods.remove(key(namespace, pod));
    }

    public synchronized void setCurrent(String namespace, String pod, String container, String log) {
        Map<String, ContainerLogs> c = pods.get(key(namespace, pod));
        if (c != null) {
            ContainerLogs was = c.get(container);
            c.put(container, new ContainerLogs(log, was == null ? null : was.previous()));
        }
    }

    /** A restart: the given log becomes the previous one, and the current one starts anew. */
    public synchronized void restarted(String namespace, String pod, String container, String previous,
                                       String current) {
        Map<String, ContainerLogs> c = pods.get(key(namespace, pod));
        if (c != null) {
            c.put(container, new ContainerLogs(current, previous));
        }
    }

    public synchronized boolean hasPod(String namespace, String pod) {
        return pods.containsKey(key(namespace, pod));
    }

    /** The containers of a pod in spec order, empty if unknown. */
    public synchronized List<String> containers(String namespace, String pod) {
        Map<String, ContainerLogs> c = pods.get(key(namespace, pod));
        return c == null ? List.of() : new ArrayList<>(c.keySet());
    }

    public synchronized ContainerLogs get(String namespace, String pod, String container) {
        Map<String, ContainerLogs> c = pods.get(key(namespace, pod));
        return c == null ? null : c.get(container);
    }

    /** The newest {@code tailLines} lines (all when negative), keeping a trailing newline. */
    static String tail(String log, int tailLines) {
        if (log == null || tailLines < 0) {
            return log == null ? "" : log;
        }
        if (tailLines == 0) {
            return "";
        }
        String[] lines = log.split("\n", -1);
        int end = lines.length;
        boolean trailing = end > 0 && lines[end - 1].isEmpty();
        if (trailing) {
            end--;
        }
        int start = Math.max(0, end - tailLines);
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end; i++) {
            sb.append(lines[i]).append('\n');
        }
        return sb.toString();
    }
}
