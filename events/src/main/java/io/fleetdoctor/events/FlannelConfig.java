package io.fleetdoctor.events;

import java.util.List;
import java.util.Map;

/**
 * {@code io.fleetdoctor.signal.flannel-config.v1}: one flannel DaemonSet's flanneld container.
 *
 * @param env     literal env values only
 * @param envRefs (added) env name → where a non-literal value comes from, e.g.
 *                {@code configMapKeyRef rke2-canal-config/canal_iface}
 * @param envFrom (added) whole sources of env, e.g. {@code configMapRef flannel-env}
 */
public record FlannelConfig(String namespace, String daemonSet, String container, String image, String version,
                            List<String> command, List<String> args, Map<String, String> env,
                            String resourceVersion, int desiredNodes, int readyNodes, Map<String, String> envRefs,
                            List<String> envFrom) implements EventData {

    public FlannelConfig {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = Map.copyOf(env);
        envRefs = envRefs == null ? Map.of() : Map.copyOf(envRefs);
        envFrom = envFrom == null ? List.of() : List.copyOf(envFrom);
    }

    /** As sent by collectors before {@code envRefs} and {@code envFrom} were added. */
    public FlannelConfig(String namespace, String daemonSet, String container, String image, String version,
                         List<String> command, List<String> args, Map<String, String> env, String resourceVersion,
                         int desiredNodes, int readyNodes) {
        this(namespace, daemonSet, container, image, version, command, args, env, resourceVersion, desiredNodes,
                readyNodes, Map.of(), List.of());
    }
}
