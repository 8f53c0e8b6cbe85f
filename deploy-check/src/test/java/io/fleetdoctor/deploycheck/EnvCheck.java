package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The environment a deployment gives each service against what the service reads ({@link ServiceConfig}): a
 * variable nobody reads is a setting that silently does nothing (compose and the ConfigMap once set
 * FLEETDOCTOR_JWT_PUBLIC_KEY_LOCATION while the remediator read only MP_JWT_VERIFY_PUBLICKEY_LOCATION, so
 * every token was refused), and a needed one (no default in production) that is missing fails the start-up
 * (Kafka, datasource) or every request that uses it (JWT).
 */
final class EnvCheck {

    private EnvCheck() {
    }

    static List<String> compose(JsonNode compose, Map<String, ServiceConfig> services) {
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = compose.path("services").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode build = e.getValue().path("build");
            String context = build.isTextual() ? build.asText() : build.path("context").asText("");
            Optional<ServiceConfig> service = services.values().stream()
                    .filter(s -> context.contains(s.module)).findFirst();
            service.ifPresent(s -> problems.addAll(check("compose service " + e.getKey(), s,
                    ComposeCheck.env(e.getValue()).keySet())));
        }
        return problems;
    }

    static List<String> manifests(List<HasMetadata> resources, Map<String, ServiceConfig> services) {
        List<String> problems = new ArrayList<>();
        for (HasMetadata w : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(w);
            if (spec.isEmpty()) {
                continue;
            }
            for (Container c : spec.get().getContainers()) {
                String image = Kustomize.imageName(c.getImage());
                services.values().stream().filter(s -> image.endsWith(s.module)).findFirst().ifPresent(s ->
                        problems.addAll(check(w.getKind() + " " + RbacCheck.ns(w) + "/" + w.getMetadata().getName()
                                + " container " + c.getName(), s,
                                HardeningCheck.env(c, resources, RbacCheck.ns(w)).keySet())));
            }
        }
        return problems;
    }

    static List<String> check(String where, ServiceConfig service, Set<String> env) {
        List<String> problems = new ArrayList<>();
        for (String name : env) {
            if (!name.startsWith("<") && !service.reads(name)) {
                problems.add(where + ": sets " + name + ", which " + service.module + " never reads");
            }
        }
        for (String name : service.required()) {
            if (!env.contains(name)) {
                problems.add(where + ": " + service.module + " needs " + name);
            }
        }
        return problems;
    }
}
