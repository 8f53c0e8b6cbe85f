package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fleetdoctor.deploycheck.ServiceConfig.Access;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka least privilege: the ACLs of each service's Kafka principal (Strimzi KafkaUser in k8s/, kafka-acls.sh in
 * docker-compose.yml) are exactly what its channels need (ServiceConfig#kafkaAccess: Read and Describe on the
 * topics it consumes, Read on its consumer groups, Write and Describe on the topics it produces); every service
 * authenticates as its own principal; the broker authenticates the listener the services use and authorizes.
 */
final class KafkaAclCheck {

    /** The Kafka principal of each service in k8s/ (KafkaUser) and in compose (SCRAM user). */
    static final Map<String, String> K8S_USERS = Map.of("collector-service", "fleetdoctor-collector",
            "analyzer-service", "fleetdoctor-analyzer", "remediator-service", "fleetdoctor-remediator");
    static final Map<String, String> COMPOSE_USERS = Map.of("collector-service", "collector",
            "analyzer-service", "analyzer", "remediator-service", "remediator");
    /** A read-only principal for people's tools is allowed in compose. */
    static final String COMPOSE_ADMIN = "admin";

    private static final Pattern ACL_LINE = Pattern.compile(
            "(?m)^\\s*acl\\s+(\\S+)((?:\\s+--operation\\s+\\w+)+)\\s+--(topic|group)\\s+'?([^'\\s]+)'?\\s*$");
    private static final Pattern JAAS_USER = Pattern.compile("username=\"([^\"]+)\"");

    private KafkaAclCheck() {
    }

    static Set<Access> expected(ServiceConfig service) {
        Set<Access> acls = new TreeSet<>();
        for (Access a : service.kafkaAccess()) {
            acls.add(a);
            if (a.resource().equals("topic")) {
                acls.add(new Access("topic", a.name(), "Describe"));
            }
        }
        return acls;
    }

    static List<String> manifests(List<HasMetadata> resources, Map<String, ServiceConfig> services) {
        List<String> problems = new ArrayList<>();
        Map<String, GenericKubernetesResource> users = new TreeMap<>();
        for (HasMetadata r : resources) {
            if (r instanceof GenericKubernetesResource && r.getKind().equals("KafkaUser")) {
                users.put(r.getMetadata().getName(), (GenericKubernetesResource) r);
            }
        }
        for (ServiceConfig s : services.values()) {
            String name = K8S_USERS.get(s.module);
            GenericKubernetesResource user = users.remove(name);
            if (user == null) {
                problems.add("KafkaUser " + name + " (" + s.module + ") is missing");
                continue;
            }
            Map<String, Object> spec = user.get("spec");
            String auth = String.valueOf(path(spec, "authentication", "type"));
            if (!auth.equals("scram-sha-512") && !auth.equals("tls")) {
                problems.add("KafkaUser " + name + ": authentication " + auth + " (scram-sha-512 or tls)");
            }
            if (!"simple".equals(path(spec, "authorization", "type"))) {
                problems.add("KafkaUser " + name + ": authorization is not simple (no ACLs)");
            }
            Set<Access> granted = new TreeSet<>();
            Object acls = path(spec, "authorization", "acls");
            for (Object o : acls instanceof List ? (List<?>) acls : List.of()) {
                Map<?, ?> acl = (Map<?, ?>) o;
                Map<?, ?> resource = (Map<?, ?>) acl.get("resource");
                String type = String.valueOf(resource.get("type"));
                String rname = String.valueOf(resource.get("name"));
                Object pattern = resource.get("patternType");
                if (pattern != null && !"literal".equals(pattern) || rname.contains("*")) {
                    problems.add("KafkaUser " + name + ": " + type + " " + rname + " is not one literal name");
                }
                if ("deny".equals(acl.get("type"))) {
                    continue;
                }
                List<Object> ops = new ArrayList<>();
                if (acl.get("operations") instanceof List) {
                    ops.addAll((List<?>) acl.get("operations"));
                }
                if (acl.get("operation") != null) {
                    ops.add(acl.get("operation"));
                }
                ops.forEach(op -> granted.add(new Access(type, rname, String.valueOf(op))));
            }
            compare("KafkaUser " + name, expected(s), granted, problems);
        }
        users.keySet().forEach(u -> problems.add("KafkaUser " + u + " belongs to no service"));
        clients(resources, problems);
        broker(resources, problems);
        return problems;
    }

    /** Each container authenticates (SASL or TLS) as its own service's user, the password from a Secret. */
    private static void clients(List<HasMetadata> resources, List<String> problems) {
        for (HasMetadata w : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(w);
            if (spec.isEmpty()) {
                continue;
            }
            for (Container c : spec.get().getContainers()) {
                String image = Kustomize.imageName(c.getImage());
                String module = ServiceConfig.MODULES.stream().filter(image::endsWith).findFirst().orElse(null);
                if (module == null) {
                    continue;
                }
                String cn = w.getKind() + " " + RbacCheck.ns(w) + "/" + w.getMetadata().getName() + " container " + c.getName();
                Map<String, String> env = HardeningCheck.env(c, resources, RbacCheck.ns(w));
                String protocol = env.getOrDefault("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
                if (!protocol.startsWith("SASL_")) {
                    problems.add(cn + ": KAFKA_SECURITY_PROTOCOL is " + protocol + ", the broker would not know who it is");
                }
                String secret = "secret:kafka-" + K8S_USERS.get(module).substring("fleetdoctor-".length()) + "/sasl.jaas.config";
                if (!secret.equals(env.get("KAFKA_SASL_JAAS_CONFIG"))) {
                    problems.add(cn + ": KAFKA_SASL_JAAS_CONFIG must come from " + secret.substring(7)
                            + " (its own KafkaUser), is " + env.get("KAFKA_SASL_JAAS_CONFIG"));
                }
            }
        }
    }

    /** A Strimzi Kafka in the build: every listener authenticates, and ACLs are enforced. */
    private static void broker(List<HasMetadata> resources, List<String> problems) {
        for (HasMetadata r : resources) {
            if (!(r instanceof GenericKubernetesResource) || !r.getKind().equals("Kafka")) {
                continue;
            }
            Map<String, Object> spec = ((GenericKubernetesResource) r).get("spec");
            Object listeners = path(spec, "kafka", "listeners");
            for (Object o : listeners instanceof List ? (List<?>) listeners : List.of()) {
                Map<?, ?> l = (Map<?, ?>) o;
                if (!(l.get("authentication") instanceof Map)) {
                    problems.add("Kafka " + r.getMetadata().getName() + ": listener " + l.get("name") + " does not authenticate");
                }
            }
            if (!"simple".equals(path(spec, "kafka", "authorization", "type"))) {
                problems.add("Kafka " + r.getMetadata().getName() + ": no authorization (ACLs not enforced)");
            }
        }
    }

    static List<String> compose(JsonNode compose, Map<String, ServiceConfig> services) {
        List<String> problems = new ArrayList<>();
        StringBuilder commands = new StringBuilder();
        JsonNode all = compose.path("services");
        all.forEach(svc -> svc.path("command").forEach(c -> commands.append(c.asText()).append('\n')));
        Map<String, Set<Access>> granted = new TreeMap<>();
        Matcher m = ACL_LINE.matcher(commands);
        while (m.find()) {
            Set<Access> set = granted.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            for (String op : m.group(2).trim().split("\\s*--operation\\s+")) {
                if (!op.isBlank()) {
                    set.add(new Access(m.group(3), m.group(4), op.trim()));
                }
            }
        }
        for (ServiceConfig s : services.values()) {
            String user = COMPOSE_USERS.get(s.module);
            compare("compose user " + user, expected(s), granted.getOrDefault(user, Set.of()), problems);
        }
        for (Map.Entry<String, Set<Access>> e : granted.entrySet()) {
            if (e.getKey().equals(COMPOSE_ADMIN)) {
                e.getValue().stream().filter(a -> !a.operation().equals("Read") && !a.operation().equals("Describe"))
                        .forEach(a -> problems.add("compose user admin may " + a.operation() + " " + a.resource() + " "
                                + a.name() + " (read-only)"));
            } else if (!COMPOSE_USERS.containsValue(e.getKey())) {
                problems.add("compose: ACLs for " + e.getKey() + ", which is no service");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode build = e.getValue().path("build");
            String context = build.isTextual() ? build.asText() : build.path("context").asText("");
            String module = ServiceConfig.MODULES.stream().filter(context::contains).findFirst().orElse(null);
            if (module == null) {
                continue;
            }
            Map<String, String> env = ComposeCheck.env(e.getValue());
            if (!env.getOrDefault("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").startsWith("SASL_")) {
                problems.add(e.getKey() + ": does not authenticate to Kafka (KAFKA_SECURITY_PROTOCOL)");
            }
            Matcher u = JAAS_USER.matcher(env.getOrDefault("KAFKA_SASL_JAAS_CONFIG", ""));
            String user = u.find() ? u.group(1) : null;
            if (!COMPOSE_USERS.get(module).equals(user)) {
                problems.add(e.getKey() + ": authenticates to Kafka as " + user + ", not as " + COMPOSE_USERS.get(module));
            }
        }
        return problems;
    }

    private static void compare(String who, Set<Access> expected, Set<Access> granted, List<String> problems) {
        for (Access a : expected) {
            if (!granted.contains(a)) {
                problems.add(who + ": lacks " + a.operation() + " on " + a.resource() + " " + a.name());
            }
        }
        for (Access a : granted) {
            if (!expected.contains(a)) {
                problems.add(who + ": may " + a.operation() + " on " + a.resource() + " " + a.name()
                        + ", which its configuration does not use");
            }
        }
    }

    private static Object path(Map<String, Object> map, String... keys) {
        Object o = map;
        for (String k : keys) {
            if (!(o instanceof Map)) {
                return null;
            }
            o = ((Map<?, ?>) o).get(k);
        }
        return o;
    }
}
