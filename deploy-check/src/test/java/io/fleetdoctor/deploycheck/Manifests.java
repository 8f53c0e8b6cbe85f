package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns YAML documents into fabric8 model objects, strictly: the kind must be one fabric8 knows (or one of the
 * custom resources we use on purpose), and no field may be unknown to the model. fabric8 itself is lenient:
 * an unknown field (a typo like {@code readinesProbe}) lands in {@code additionalProperties} and the probe is
 * silently missing. Here it is a problem.
 */
final class Manifests {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Custom resources we deploy on purpose; they deserialize as GenericKubernetesResource. */
    static final Set<String> CUSTOM_KINDS = Set.of(
            "kafka.strimzi.io/v1beta2/KafkaTopic",
            "kafka.strimzi.io/v1beta2/KafkaUser",
            "kafka.strimzi.io/v1beta2/Kafka",
            "kafka.strimzi.io/v1beta2/KafkaNodePool",
            "postgresql.cnpg.io/v1/Cluster",
            "monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/PrometheusRule");

    private Manifests() {
    }

    /** A parsed document, or the reasons it is not acceptable. */
    static final class Parsed {
        final HasMetadata resource;
        final List<String> problems;

        Parsed(HasMetadata resource, List<String> problems) {
            this.resource = resource;
            this.problems = problems;
        }
    }

    static Parsed parse(JsonNode doc, String origin) {
        List<String> problems = new ArrayList<>();
        String apiVersion = doc.path("apiVersion").asText("");
        String kind = doc.path("kind").asText("");
        String where = origin + " (" + kind + " " + doc.path("metadata").path("name").asText("?") + ")";
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            problems.add(where + ": no apiVersion/kind");
            return new Parsed(null, problems);
        }
        if (doc.path("metadata").path("name").asText("").isEmpty()) {
            problems.add(where + ": no metadata.name");
        }
        Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(apiVersion, kind);
        boolean custom = CUSTOM_KINDS.contains(apiVersion + "/" + kind);
        if (type == null && !custom) {
            problems.add(where + ": " + apiVersion + "/" + kind + " is not a Kubernetes kind fabric8 knows"
                    + " nor one of the custom resources " + CUSTOM_KINDS);
        }
        KubernetesResource parsed;
        try {
            parsed = SERIALIZATION.unmarshal(Yamls.JSON.writeValueAsString(doc), KubernetesResource.class);
        } catch (Exception e) {
            problems.add(where + ": does not deserialize: " + e.getMessage());
            return new Parsed(null, problems);
        }
        if (!(parsed instanceof HasMetadata)) {
            problems.add(where + ": not a resource with metadata: " + parsed.getClass().getName());
            return new Parsed(null, problems);
        }
        if (type != null && !type.isInstance(parsed)) {
            problems.add(where + ": deserialized as " + parsed.getClass().getSimpleName() + ", not " + type.getSimpleName());
        }
        if (type != null && parsed instanceof GenericKubernetesResource) {
            problems.add(where + ": built-in kind deserialized generically");
        }
        Object strictRoot = parsed instanceof GenericKubernetesResource
                ? ((GenericKubernetesResource) parsed).getMetadata()
                : parsed;
        unknownFields(strictRoot, parsed instanceof GenericKubernetesResource ? "metadata" : "",
                problems, where, new IdentityHashMap<>());
        return new Parsed((HasMetadata) parsed, problems);
    }

    /** Walks the model objects and reports every non-empty additionalProperties: fields the model does not know. */
    private static void unknownFields(Object o, String path, List<String> problems, String where,
            IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection) {
            int i = 0;
            for (Object item : (Collection<?>) o) {
                unknownFields(item, path + "[" + i++ + "]", problems, where, seen);
            }
            return;
        }
        if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), problems, where, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            boolean getter = name.startsWith("get") && name.length() > 3;
            if (!getter) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                continue;
            }
            if (name.equals("getAdditionalProperties")) {
                if (value instanceof Map && !((Map<?, ?>) value).isEmpty()) {
                    problems.add(where + ": unknown field(s) " + ((Map<?, ?>) value).keySet()
                            + " at " + (path.isEmpty() ? "top level" : path.substring(path.startsWith(".") ? 1 : 0)));
                }
                continue;
            }
            String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
            unknownFields(value, path + "." + field, problems, where, seen);
        }
    }
}
