package io.fleetdoctor.deploycheck;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pod hardening for every workload: probes, requests and limits, non-root, read-only root filesystem with a
 * writable /tmp, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces.
 * The node agent is the one documented exception: hostPID, read-only hostPath /proc and /sys, and uid 0 with
 * SYS_PTRACE as its only capability (reading other processes' /proc/&lt;pid&gt;/io needs it). Host network stays
 * forbidden for every workload, the node agent included: it reads the node's routes and addresses through
 * &lt;procfs&gt;/1/net (the network namespace of the node's init, visible with hostPID) and the interfaces
 * through the host's /sys, so it never needs to join the node's network namespace.
 */
final class HardeningCheck {

    private final List<HasMetadata> resources;
    private final List<String> problems = new ArrayList<>();

    private HardeningCheck(List<HasMetadata> resources) {
        this.resources = resources;
    }

    static List<String> check(List<HasMetadata> resources) {
        HardeningCheck c = new HardeningCheck(resources);
        for (HasMetadata r : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(r);
            spec.ifPresent(s -> c.workload(r, s));
        }
        return c.problems;
    }

    /** The node agent: a DaemonSet of the collector image with FLEETDOCTOR_COLLECTOR_MODE=node (NodeAgentMain checks it). */
    static boolean isNodeAgent(HasMetadata w, Container c, List<HasMetadata> resources) {
        return w instanceof DaemonSet && Kustomize.imageName(c.getImage()).endsWith("collector-service")
                && "node".equals(env(c, resources, RbacCheck.ns(w)).get("FLEETDOCTOR_COLLECTOR_MODE"));
    }

    private void workload(HasMetadata w, PodSpec spec) {
        String name = w.getKind() + " " + RbacCheck.ns(w) + "/" + w.getMetadata().getName();
        boolean nodeAgent = spec.getContainers().stream().anyMatch(c -> isNodeAgent(w, c, resources));
        if (Boolean.TRUE.equals(spec.getHostIPC())) {
            problems.add(name + ": hostIPC");
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            problems.add(name + ": hostNetwork (no workload needs the node's network namespace; the node agent reads"
                    + " it through <procfs>/1/net with hostPID)");
        }
        if (Boolean.TRUE.equals(spec.getHostPID()) && !nodeAgent) {
            problems.add(name + ": hostPID is only for the node agent");
        }
        if (nodeAgent) {
            nodeAgent(name, spec);
        }
        PodSecurityContext psc = spec.getSecurityContext();
        String podSeccomp = psc == null || psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
        for (Volume v : spec.getVolumes()) {
            if (v.getHostPath() != null) {
                String path = v.getHostPath().getPath();
                if (!nodeAgent || !(path.equals("/proc") || path.equals("/sys"))) {
                    problems.add(name + ": hostPath " + path + " (only /proc and /sys, only for the node agent)");
                }
            }
        }
        List<Container> all = new ArrayList<>(spec.getContainers());
        all.addAll(spec.getInitContainers());
        for (Container c : all) {
            String cn = name + " container " + c.getName();
            boolean init = spec.getInitContainers().contains(c);
            if (!init) {
                probe(cn, "livenessProbe", c.getLivenessProbe());
                probe(cn, "readinessProbe", c.getReadinessProbe());
                // the JVM starts slowly on a busy node: a startup probe keeps liveness from killing it meanwhile
                probe(cn, "startupProbe", c.getStartupProbe());
            }
            resources(cn, c.getResources());
            SecurityContext sc = c.getSecurityContext();
            if (sc == null) {
                problems.add(cn + ": no securityContext");
                continue;
            }
            boolean agent = isNodeAgent(w, c, resources);
            if (agent) {
                if (!Long.valueOf(0).equals(sc.getRunAsUser())) {
                    // documented: non-root cannot use an added capability, so this would read nothing
                    problems.add(cn + ": the node agent must say runAsUser: 0 explicitly (see its comment)");
                }
            } else {
                boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot())
                        || (sc.getRunAsNonRoot() == null && psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot()));
                if (!nonRoot) {
                    problems.add(cn + ": runAsNonRoot is not true");
                }
                if (Long.valueOf(0).equals(sc.getRunAsUser())) {
                    problems.add(cn + ": runAsUser 0");
                }
            }
            if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                problems.add(cn + ": readOnlyRootFilesystem is not true");
            } else if (c.getVolumeMounts().stream().noneMatch(m -> m.getMountPath().equals("/tmp")
                    && isEmptyDir(spec, m.getName()))) {
                problems.add(cn + ": read-only root filesystem without an emptyDir at /tmp");
            }
            if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                problems.add(cn + ": allowPrivilegeEscalation is not false");
            }
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                problems.add(cn + ": privileged");
            }
            Capabilities caps = sc.getCapabilities();
            if (caps == null || !caps.getDrop().contains("ALL")) {
                problems.add(cn + ": does not drop ALL capabilities");
            }
            List<String> added = caps == null ? List.of() : caps.getAdd();
            if (agent ? !added.equals(List.of("SYS_PTRACE")) : !added.isEmpty()) {
                problems.add(cn + ": adds capabilities " + added
                        + (agent ? " (the node agent may add SYS_PTRACE only)" : " (none allowed)"));
            }
            String seccomp = sc.getSeccompProfile() == null ? podSeccomp : sc.getSeccompProfile().getType();
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                problems.add(cn + ": seccompProfile is " + seccomp + " (RuntimeDefault or Localhost)");
            }
            for (VolumeMount m : c.getVolumeMounts()) {
                boolean host = spec.getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName()) && v.getHostPath() != null);
                if (host && !Boolean.TRUE.equals(m.getReadOnly())) {
                    problems.add(cn + ": host mount " + m.getMountPath() + " is not readOnly");
                }
            }
        }
    }

    private void nodeAgent(String name, PodSpec spec) {
        if (!Boolean.TRUE.equals(spec.getHostPID())) {
            // without it <procfs>/1 is the pod's own init: the inventory would list the pod's eth0 and routes
            problems.add(name + ": the node agent needs hostPID (the host's processes, and the node's network"
                    + " through <procfs>/1/net)");
        }
        Set<String> hostPaths = new java.util.TreeSet<>();
        spec.getVolumes().stream().filter(v -> v.getHostPath() != null).forEach(v -> hostPaths.add(v.getHostPath().getPath()));
        if (!hostPaths.equals(new java.util.TreeSet<>(Set.of("/proc", "/sys")))) {
            problems.add(name + ": the node agent mounts exactly /proc and /sys from the host, has " + hostPaths);
        }
        boolean controlPlane = spec.getTolerations().stream().map(Toleration::getKey).filter(Objects::nonNull)
                .anyMatch(k -> k.equals("node-role.kubernetes.io/control-plane"));
        if (!controlPlane) {
            problems.add(name + ": the node agent does not tolerate control-plane nodes");
        }
        for (Container c : spec.getContainers()) {
            Map<String, String> env = env(c, resources, null);
            if (!"field:spec.nodeName".equals(env.get("NODE_NAME"))) {
                problems.add(name + ": NODE_NAME must come from the downward API spec.nodeName");
            }
            if (!"field:status.hostIP".equals(env.get("HOST_IP"))) {
                problems.add(name + ": HOST_IP must come from the downward API status.hostIP");
            }
        }
    }

    private void probe(String cn, String which, Probe p) {
        if (p == null) {
            problems.add(cn + ": no " + which);
        } else if (p.getHttpGet() == null && p.getTcpSocket() == null && p.getExec() == null && p.getGrpc() == null) {
            problems.add(cn + ": " + which + " without a handler");
        }
    }

    private void resources(String cn, ResourceRequirements r) {
        for (String kind : List.of("requests", "limits")) {
            Map<String, Quantity> q = r == null ? null : kind.equals("requests") ? r.getRequests() : r.getLimits();
            for (String res : List.of("cpu", "memory")) {
                if (q == null || q.get(res) == null) {
                    problems.add(cn + ": no " + res + " " + kind);
                }
            }
        }
        if (r != null && r.getRequests() != null && r.getLimits() != null) {
            for (String res : List.of("cpu", "memory")) {
                Quantity req = r.getRequests().get(res);
                Quantity lim = r.getLimits().get(res);
                if (req != null && lim != null && req.getNumericalAmount().compareTo(lim.getNumericalAmount()) > 0) {
                    problems.add(cn + ": " + res + " request above its limit");
                }
            }
        }
    }

    private static boolean isEmptyDir(PodSpec spec, String volume) {
        return spec.getVolumes().stream().anyMatch(v -> v.getName().equals(volume) && v.getEmptyDir() != null);
    }

    /**
     * The environment a container sees, names to a description of the value: the literal value, "configmap:",
     * "secret:name/key" or "field:path". envFrom ConfigMaps are resolved against the resources of the same
     * namespace (namespace null: any).
     */
    static Map<String, String> env(Container c, List<HasMetadata> resources, String namespace) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                String cm = from.getConfigMapRef().getName();
                resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                        .filter(m -> m.getMetadata().getName().equals(cm)
                                && (namespace == null || namespace.equals(RbacCheck.ns(m))))
                        .findFirst()
                        .ifPresent(m -> m.getData().forEach((k, v) -> env.put(k, v)));
            }
            if (from.getSecretRef() != null) {
                env.put("<all keys of secret " + from.getSecretRef().getName() + ">", "secret:*");
            }
        }
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), Objects.requireNonNullElse(e.getValue(), ""));
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                env.put(e.getName(), "secret:" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey());
            } else if (e.getValueFrom().getFieldRef() != null) {
                env.put(e.getName(), "field:" + e.getValueFrom().getFieldRef().getFieldPath());
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                env.put(e.getName(), "configmap:" + e.getValueFrom().getConfigMapKeyRef().getName());
            } else {
                env.put(e.getName(), "other");
            }
        }
        return env;
    }
}
