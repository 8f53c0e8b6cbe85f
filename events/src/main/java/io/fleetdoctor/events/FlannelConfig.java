package io.fleetdoctor.events;

import java.util.List;
import java.util.Map;

/** {@code io.fleetdoctor.signal.flannel-config.v1}: one flannel DaemonSet's flanneld container. */
public record FlannelConfig(String namespace, String daemonSet, String container, String image, String version,
                            List<String> command, List<String> args, Map<String, String> env,
                            String resourceVersion, int desiredNodes, int readyNodes) implements EventData {

    public FlannelConfig {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }
}
