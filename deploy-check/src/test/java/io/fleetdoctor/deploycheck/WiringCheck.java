package io.fleetdoctor.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Does a built set of manifests wire the system together: each service gets the environment it needs (secrets
 * only through secretKeyRef), ConfigMaps agree on Kafka and cluster id, Services reach the pods, the four
 * KafkaTopics exist, and the Pod Security levels of the namespaces fit what runs in them.
 */
final class WiringCheck {

    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|WEBHOOK|PRIVATE_KEY|JAAS).*");
    private static final Map<String, Integer> PORTS = Map.of(
            "analyzer-service", 8081, "collector-service", 8082, "remediator-service", 8083);

    /** The lean node agent's entry point and class path in collector-service's image (Dockerfile.jvm). */
    static final String NODE_AGENT_MAIN = "io.fleetdoctor.collector.node.NodeAgentMain";
    static final String NODE_AGENT_CLASSPATH = "/deployments/app/*:/deployments/node-agent/*";

    private final List<HasMetadata> resources;
    private final List<String> problems = new ArrayList<>();

    private WiringCheck(List<HasMetadata> resources) {
        this.resources = resources;
    }

    static List<String> check(List<HasMetadata> resources) {
        WiringCheck c = new WiringCheck(resources);
        c.run();
        return c.problems;
    }

    private void run() {
        Set<String> found = new TreeSet<>();
        Set<String> nodeAgentNamespaces = new TreeSet<>();
        Set<String> serviceNamespaces = new TreeSet<>();
        for (HasMetadata w : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(w);
            if (spec.isEmpty()) {
                continue;
            }
            String name = w.getKind() + " " + RbacCheck.ns(w) + "/" + w.getMetadata().getName();
            for (Container c : spec.get().getContainers()) {
                String image = Kustomize.imageName(c.getImage());
                String kind = PORTS.keySet().stream().filter(image::endsWith).findFirst().orElse(null);
                if (kind == null) {
                    problems.add(name + ": container " + c.getName() + " runs an unexpected image " + c.getImage());
                    continue;
                }
                Map<String, String> env = HardeningCheck.env(c, resources, RbacCheck.ns(w));
                String role = container(name, w, kind, c, env);
                found.add(role);
                if (role.equals("collector-node")) {
                    nodeAgentNamespaces.add(RbacCheck.ns(w));
                } else {
                    serviceNamespaces.add(RbacCheck.ns(w));
                }
            }
        }
        Set<String> expected = new TreeSet<>(Set.of("analyzer", "remediator", "collector-cluster", "collector-node"));
        if (!found.equals(expected)) {
            problems.add("workloads: expected " + expected + ", found " + found);
        }
        agree("FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
        resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getData() != null && "change-me".equals(m.getData().get("FLEETDOCTOR_COLLECTOR_CLUSTER_ID")))
                .forEach(m -> problems.add("ConfigMap " + RbacCheck.ns(m) + "/" + m.getMetadata().getName()
                        + ": the overlay must set FLEETDOCTOR_COLLECTOR_CLUSTER_ID (still the base placeholder)"));
        agree("KAFKA_BOOTSTRAP_SERVERS");
        topics();
        namespaces(nodeAgentNamespaces, serviceNamespaces);
    }

    private String container(String name, HasMetadata w, String kind, Container c, Map<String, String> env) {
        String cn = name + " container " + c.getName();
        require(cn, env, "KAFKA_BOOTSTRAP_SERVERS");
        if (env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "").contains("localhost")) {
            problems.add(cn + ": KAFKA_BOOTSTRAP_SERVERS points at localhost");
        }
        env.forEach((k, v) -> {
            if (SECRET_NAME.matcher(k).matches() && !v.startsWith("secret:")) {
                problems.add(cn + ": " + k + " must come from a Secret (secretKeyRef), not a literal or ConfigMap");
            }
        });
        int port = PORTS.get(kind);
        if (c.getPorts().stream().noneMatch(p -> Objects.equals(p.getContainerPort(), port))) {
            problems.add(cn + ": does not declare containerPort " + port);
        }
        String role;
        switch (kind) {
            case "analyzer-service":
            case "remediator-service":
                role = kind.equals("analyzer-service") ? "analyzer" : "remediator";
                require(cn, env, "QUARKUS_DATASOURCE_JDBC_URL");
                require(cn, env, "QUARKUS_DATASOURCE_USERNAME");
                require(cn, env, "QUARKUS_DATASOURCE_PASSWORD");
                if (env.containsKey("QUARKUS_DATASOURCE_JDBC_URL")
                        && !env.get("QUARKUS_DATASOURCE_JDBC_URL").startsWith("jdbc:postgresql://")) {
                    problems.add(cn + ": QUARKUS_DATASOURCE_JDBC_URL is not a PostgreSQL JDBC URL");
                }
                if (role.equals("remediator")) {
                    require(cn, env, "SLACK_WEBHOOK_URL");
                    require(cn, env, "SLACK_SIGNING_SECRET");
                    // the prod profile has no default for it: the remediator would not start (EnvCheck: all of them)
                    require(cn, env, "FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION");
                    problems.addAll(ComposeCheck.clusterRegistry(cn, env));
                }
                reachable(w, role, port);
                break;
            case "collector-service":
                require(cn, env, "FLEETDOCTOR_COLLECTOR_CLUSTER_ID");
                String mode = env.getOrDefault("FLEETDOCTOR_COLLECTOR_MODE", "");
                if (mode.equals("cluster")) {
                    role = "collector-cluster";
                    Integer replicas = w instanceof Deployment ? ((Deployment) w).getSpec().getReplicas() : null;
                    if (!(w instanceof Deployment) || !Objects.equals(replicas, 1)) {
                        problems.add(cn + ": the cluster-mode collector is a Deployment with exactly 1 replica"
                                + " (two watchers publish every signal twice)");
                    }
                } else if (mode.equals("node")) {
                    role = "collector-node";
                    if (!(w instanceof DaemonSet)) {
                        problems.add(cn + ": the node-mode collector must be a DaemonSet");
                    }
                    String command = String.join(" ", Optional.ofNullable(c.getCommand()).orElse(List.of())) + " "
                            + String.join(" ", Optional.ofNullable(c.getArgs()).orElse(List.of()));
                    if (!command.contains(NODE_AGENT_MAIN) || !command.contains(NODE_AGENT_CLASSPATH)) {
                        problems.add(cn + ": must run the lean node agent (" + NODE_AGENT_MAIN + " on class path "
                                + NODE_AGENT_CLASSPATH + "), not the image's Quarkus entry point: command is '"
                                + command.trim() + "'");
                    }
                    require(cn, env, "FLEETDOCTOR_COLLECTOR_PROCFS");
                    require(cn, env, "FLEETDOCTOR_COLLECTOR_SYSFS");
                    mountedAt(cn, w, c, "/proc", env.get("FLEETDOCTOR_COLLECTOR_PROCFS"));
                    mountedAt(cn, w, c, "/sys", env.get("FLEETDOCTOR_COLLECTOR_SYSFS"));
                } else {
                    role = "collector-?";
                    problems.add(cn + ": FLEETDOCTOR_COLLECTOR_MODE must be cluster or node, is '" + mode + "'");
                }
                break;
            default:
                throw new IllegalStateException(kind);
        }
        return role;
    }

    private void mountedAt(String cn, HasMetadata w, Container c, String hostPath, String mountPath) {
        PodSpec spec = Kustomize.podSpec(w).orElseThrow();
        boolean ok = c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(mountPath)
                && spec.getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName()) && v.getHostPath() != null
                        && v.getHostPath().getPath().equals(hostPath)));
        if (!ok) {
            problems.add(cn + ": host " + hostPath + " is not mounted at " + mountPath);
        }
    }

    /** A Service in the workload's namespace selects its pods and exposes the port. */
    private void reachable(HasMetadata w, String role, int port) {
        Map<String, String> labels = Optional.ofNullable(((Deployment) w).getSpec().getTemplate().getMetadata().getLabels())
                .orElse(Map.of());
        boolean ok = resources.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> RbacCheck.ns(s).equals(RbacCheck.ns(w)) && s.getSpec().getSelector() != null
                        && !s.getSpec().getSelector().isEmpty())
                .anyMatch(s -> labels.entrySet().containsAll(s.getSpec().getSelector().entrySet())
                        && s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port));
        if (!ok) {
            problems.add(role + ": no Service selects its pods on port " + port);
        }
    }

    private void agree(String key) {
        Set<String> values = resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getData() != null && m.getData().containsKey(key))
                .map(m -> m.getData().get(key)).collect(Collectors.toCollection(TreeSet::new));
        if (values.size() > 1) {
            problems.add("ConfigMaps disagree on " + key + ": " + values);
        }
    }

    private void topics() {
        Set<String> names = new TreeSet<>();
        for (HasMetadata r : resources) {
            if (!(r instanceof GenericKubernetesResource) || !r.getKind().equals("KafkaTopic")) {
                continue;
            }
            GenericKubernetesResource t = (GenericKubernetesResource) r;
            Map<String, Object> spec = t.get("spec");
            String topic = spec != null && spec.get("topicName") != null ? (String) spec.get("topicName")
                    : t.getMetadata().getName();
            names.add(topic);
            String where = "KafkaTopic " + topic;
            if (t.getMetadata().getLabels() == null || !t.getMetadata().getLabels().containsKey("strimzi.io/cluster")) {
                problems.add(where + ": no strimzi.io/cluster label");
            }
            if (spec == null || !(spec.get("partitions") instanceof Number) || ((Number) spec.get("partitions")).intValue() < 1) {
                problems.add(where + ": no partitions");
            }
            if (spec == null || !(spec.get("replicas") instanceof Number) || ((Number) spec.get("replicas")).intValue() < 1) {
                problems.add(where + ": no replicas");
            }
            Object config = spec == null ? null : spec.get("config");
            if (!(config instanceof Map) || !((Map<?, ?>) config).containsKey("retention.ms")) {
                problems.add(where + ": no retention.ms");
            } else if (spec.get("replicas") instanceof Number && ((Map<?, ?>) config).get("min.insync.replicas") instanceof Number
                    && ((Number) ((Map<?, ?>) config).get("min.insync.replicas")).intValue()
                            > ((Number) spec.get("replicas")).intValue()) {
                problems.add(where + ": min.insync.replicas above replicas (producers with acks=all would fail)");
            }
        }
        if (!names.equals(new TreeSet<>(ComposeCheck.TOPICS))) {
            problems.add("KafkaTopics: expected " + new TreeSet<>(ComposeCheck.TOPICS) + ", found " + names);
        }
    }

    private void namespaces(Set<String> nodeAgent, Set<String> services) {
        for (String ns : nodeAgent) {
            if (services.contains(ns)) {
                problems.add("namespace " + ns + ": the node agent shares it with other services; it needs the"
                        + " privileged Pod Security level, which must not cover them");
            }
        }
        for (Namespace n : resources.stream().filter(Namespace.class::isInstance).map(Namespace.class::cast)
                .collect(Collectors.toList())) {
            String level = Optional.ofNullable(n.getMetadata().getLabels()).orElse(Map.of())
                    .get("pod-security.kubernetes.io/enforce");
            String name = n.getMetadata().getName();
            if (services.contains(name) && !"restricted".equals(level)) {
                problems.add("namespace " + name + ": runs the services, must enforce Pod Security 'restricted', enforces " + level);
            }
        }
    }

    private void require(String cn, Map<String, String> env, String key) {
        if (!env.containsKey(key)) {
            problems.add(cn + ": missing env " + key);
        }
    }
}
