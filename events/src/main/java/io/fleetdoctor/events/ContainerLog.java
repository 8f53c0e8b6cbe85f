package io.fleetdoctor.events;

import java.util.List;

/**
 * {@code io.fleetdoctor.signal.container-log.v1}: a log tail, oldest line first, at most
 * {@link #MAX_LINES} lines of at most {@link #MAX_LINE_BYTES} bytes.
 */
public record ContainerLog(String namespace, String pod, String container, String node, boolean previous,
                           List<String> lines) implements EventData {
    public static final int MAX_LINES = 200;
    public static final int MAX_LINE_BYTES = 4096;

    public ContainerLog {
        lines = List.copyOf(lines);
    }
}
