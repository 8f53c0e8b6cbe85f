package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A small model of {@code kustomize build}, enough for the checks to run without kubectl: it follows resources
 * and components recursively and applies, per kustomization, {@code namespace:} (to every namespaced object
 * accumulated so far, outer kustomizations last), {@code patches} (strategic merge with lists of named items
 * merged by name, and JSON 6902 add/replace/remove), {@code labels} (metadata only), {@code images} and
 * {@code replicas}. It verifies that every reference exists: resource files and directories, components, patch
 * files, patch targets, image names and replica names. Where kubectl is installed, {@link KubectlKustomizeTest}
 * compares this model with the real rendering object by object.
 */
final class Kustomize {

    static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob");

    /** What a kustomization builds into, and what is wrong with it. */
    static final class Build {
        final List<HasMetadata> resources = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
    }

    private Kustomize() {
    }

    static Build build(Path dir) {
        Build build = new Build();
        build.resources.addAll(load(dir.toAbsolutePath().normalize(), false, build.problems));
        return build;
    }

    private static List<HasMetadata> load(Path dir, boolean asComponent, List<String> problems) {
        Path file = dir.resolve("kustomization.yaml");
        List<HasMetadata> acc = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            problems.add(dir + ": no kustomization.yaml");
            return acc;
        }
        JsonNode k = Yamls.single(file);
        String kind = k.path("kind").asText("Kustomization");
        if (asComponent != kind.equals("Component")) {
            problems.add(file + ": kind " + kind + (asComponent ? " listed under components" : " listed under resources"));
        }
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                acc.addAll(load(p, false, problems));
            } else if (!Files.isRegularFile(p)) {
                problems.add(file + ": resource " + r.asText() + " does not exist");
            } else if (!p.startsWith(dir)) {
                // kustomize's default load restrictor refuses files outside the kustomization root
                problems.add(file + ": resource file " + r.asText() + " is outside the kustomization directory");
            } else {
                acc.addAll(parseAll(p, problems));
            }
        }
        for (JsonNode c : k.path("components")) {
            Path p = dir.resolve(c.asText()).normalize();
            if (!Files.isDirectory(p)) {
                problems.add(file + ": component " + c.asText() + " does not exist");
            } else {
                acc.addAll(load(p, true, problems));
            }
        }
        String namespace = k.path("namespace").asText("");
        if (!namespace.isEmpty()) {
            for (HasMetadata r : acc) {
                if (isNamespaced(r)) {
                    r.getMetadata().setNamespace(namespace);
                } else if (r.getKind().equals("Namespace")) {
                    // kustomize renames Namespace objects too
                    r.getMetadata().setName(namespace);
                }
            }
        }
        Set<String> ids = new java.util.HashSet<>();
        for (HasMetadata r : acc) {
            String id = r.getKind() + " " + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
            if (!ids.add(id)) {
                problems.add(file + ": ID conflict, " + id + " twice");
            }
        }
        checkPatches(file, dir, k, acc, problems);
        applyPatches(dir, k, acc, problems);
        for (JsonNode labels : k.path("labels")) {
            if (labels.path("includeSelectors").asBoolean(false) || labels.path("includeTemplates").asBoolean(false)) {
                problems.add(file + ": labels with includeSelectors/includeTemplates are not modelled");
            }
            for (HasMetadata r : acc) {
                Map<String, String> l = r.getMetadata().getLabels() == null ? new TreeMap<>()
                        : new TreeMap<>(r.getMetadata().getLabels());
                labels.path("pairs").fields().forEachRemaining(e -> l.put(e.getKey(), e.getValue().asText()));
                r.getMetadata().setLabels(l);
            }
        }
        for (JsonNode image : k.path("images")) {
            String name = image.path("name").asText();
            boolean used = containers(acc).stream().anyMatch(c -> imageName(c.getImage()).equals(name));
            if (!used) {
                problems.add(file + ": image " + name + " is used by no container");
            }
            for (Container c : containers(acc)) {
                if (imageName(c.getImage()).equals(name)) {
                    String tag = image.has("newTag") ? ":" + image.path("newTag").asText() : tagOf(c.getImage());
                    c.setImage(image.path("newName").asText(name) + tag);
                }
            }
        }
        for (JsonNode replicas : k.path("replicas")) {
            String name = replicas.path("name").asText();
            if (acc.stream().noneMatch(r -> WORKLOAD_KINDS.contains(r.getKind()) && r.getMetadata().getName().equals(name))) {
                problems.add(file + ": replicas for unknown workload " + name);
            }
            for (int i = 0; i < acc.size(); i++) {
                HasMetadata r = acc.get(i);
                if ((r.getKind().equals("Deployment") || r.getKind().equals("StatefulSet"))
                        && r.getMetadata().getName().equals(name)) {
                    int count = replicas.path("count").asInt();
                    acc.set(i, transform(r, n -> ((ObjectNode) n.get("spec")).put("replicas", count), problems));
                }
            }
        }
        return acc;
    }

    private static String tagOf(String image) {
        String name = imageName(image);
        return image == null ? "" : image.substring(name.length());
    }

    // ---- patches -------------------------------------------------------------------------------------------

    private static void applyPatches(Path dir, JsonNode k, List<HasMetadata> acc, List<String> problems) {
        for (JsonNode patch : k.path("patches")) {
            JsonNode target = patch.path("target");
            List<JsonNode> docs;
            try {
                docs = patch.has("path") ? Yamls.documents(dir.resolve(patch.path("path").asText()).normalize())
                        : Yamls.documents(patch.path("patch").asText(""));
            } catch (RuntimeException e) {
                continue; // reported by checkPatches
            }
            for (JsonNode doc : docs) {
                boolean json6902 = doc.isArray();
                for (int i = 0; i < acc.size(); i++) {
                    HasMetadata r = acc.get(i);
                    boolean selected = target.isMissingNode()
                            ? !json6902 && r.getKind().equals(doc.path("kind").asText())
                                    && r.getMetadata().getName().equals(doc.path("metadata").path("name").asText())
                                    && (!doc.path("metadata").has("namespace")
                                            || doc.path("metadata").path("namespace").asText().equals(r.getMetadata().getNamespace()))
                            : matches(target, r);
                    if (selected) {
                        acc.set(i, transform(r, n -> {
                            if (json6902) {
                                json6902(n, doc, problems);
                            } else {
                                strategicMerge(n, doc);
                            }
                        }, problems));
                    }
                }
            }
        }
    }

    private static boolean matches(JsonNode target, HasMetadata r) {
        String kind = target.path("kind").asText(null);
        String name = target.path("name").asText(null);
        String group = target.path("group").asText(null);
        String namespace = target.path("namespace").asText(null);
        return (kind == null || kind.equals(r.getKind()))
                && (name == null || name.equals(r.getMetadata().getName()))
                && (group == null || group.equals(group(r.getApiVersion())))
                && (namespace == null || namespace.equals(r.getMetadata().getNamespace()));
    }

    /** Strategic merge as far as our manifests need it: maps merge, lists of named items merge by name. */
    static void strategicMerge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(e -> {
            JsonNode current = target.get(e.getKey());
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject() && current != null && current.isObject()) {
                strategicMerge((ObjectNode) current, value);
            } else if (value.isArray() && current != null && current.isArray() && namedItems(value) && namedItems(current)) {
                ArrayNode list = (ArrayNode) current;
                for (JsonNode item : value) {
                    ObjectNode existing = null;
                    for (JsonNode c : list) {
                        if (c.path("name").asText().equals(item.path("name").asText())) {
                            existing = (ObjectNode) c;
                        }
                    }
                    if (existing == null) {
                        list.add(item.deepCopy());
                    } else {
                        strategicMerge(existing, item);
                    }
                }
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        });
    }

    private static boolean namedItems(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isObject() || !item.has("name")) {
                return false;
            }
        }
        return array.size() > 0;
    }

    /** JSON 6902 add / replace / remove. */
    static void json6902(ObjectNode target, JsonNode ops, List<String> problems) {
        for (JsonNode op : ops) {
            String path = op.path("path").asText();
            JsonPointer pointer = JsonPointer.compile(path);
            JsonNode parent = target.at(pointer.head());
            String last = pointer.last().getMatchingProperty();
            String kind = op.path("op").asText();
            if (parent.isObject()) {
                ObjectNode o = (ObjectNode) parent;
                if (kind.equals("remove")) {
                    o.remove(last);
                } else if (kind.equals("add") || (kind.equals("replace") && o.has(last))) {
                    o.set(last, op.path("value").deepCopy());
                } else {
                    problems.add("JSON patch " + kind + " " + path + ": no such field");
                }
            } else if (parent.isArray()) {
                ArrayNode a = (ArrayNode) parent;
                if (kind.equals("add") && last.equals("-")) {
                    a.add(op.path("value").deepCopy());
                } else {
                    int index = Integer.parseInt(last);
                    if (kind.equals("remove")) {
                        a.remove(index);
                    } else if (kind.equals("add")) {
                        a.insert(index, op.path("value").deepCopy());
                    } else {
                        a.set(index, op.path("value").deepCopy());
                    }
                }
            } else {
                problems.add("JSON patch " + kind + " " + path + ": parent does not exist");
            }
        }
    }

    /** Applies a change to the JSON form of a resource and parses it back (strictly). */
    private static HasMetadata transform(HasMetadata r, Consumer<ObjectNode> change, List<String> problems) {
        try {
            ObjectNode n = (ObjectNode) Yamls.JSON.readTree(Manifests.SERIALIZATION.asJson(r));
            change.accept(n);
            Manifests.Parsed parsed = Manifests.parse(n, "patched " + r.getKind() + " " + r.getMetadata().getName());
            problems.addAll(parsed.problems);
            return parsed.resource == null ? r : parsed.resource;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkPatches(Path file, Path dir, JsonNode k, List<HasMetadata> acc, List<String> problems) {
        for (JsonNode patch : k.path("patches")) {
            JsonNode target = patch.path("target");
            if (patch.has("path")) {
                Path p = dir.resolve(patch.path("path").asText()).normalize();
                if (!Files.isRegularFile(p)) {
                    problems.add(file + ": patch " + patch.path("path").asText() + " does not exist");
                    continue;
                }
                if (target.isMissingNode()) {
                    // a strategic-merge patch names its target itself
                    for (HasMetadata d : parseAll(p, problems)) {
                        String ns = d.getMetadata().getNamespace();
                        boolean found = acc.stream().anyMatch(r -> r.getKind().equals(d.getKind())
                                && r.getMetadata().getName().equals(d.getMetadata().getName())
                                && (ns == null || ns.equals(r.getMetadata().getNamespace())));
                        if (!found) {
                            problems.add(file + ": patch " + p.getFileName() + " targets " + d.getKind() + " "
                                    + (ns == null ? "" : ns + "/") + d.getMetadata().getName() + ", which is not built here");
                        }
                    }
                }
            } else if (patch.has("patch")) {
                try {
                    Yamls.documents(patch.path("patch").asText());
                } catch (RuntimeException e) {
                    problems.add(file + ": inline patch is not YAML: " + e.getMessage());
                }
                if (target.isMissingNode()) {
                    problems.add(file + ": inline patch without target");
                }
            } else {
                problems.add(file + ": patch with neither path nor patch");
            }
            if (!target.isMissingNode()) {
                String kind = target.path("kind").asText(null);
                String name = target.path("name").asText(null);
                String group = target.path("group").asText(null);
                boolean found = acc.stream().anyMatch(r -> (kind == null || kind.equals(r.getKind()))
                        && (name == null || name.equals(r.getMetadata().getName()))
                        && (group == null || group.equals(group(r.getApiVersion()))));
                if (!found) {
                    problems.add(file + ": patch target " + target + " matches nothing");
                }
            }
        }
    }

    static List<HasMetadata> parseAll(Path file, List<String> problems) {
        List<HasMetadata> out = new ArrayList<>();
        List<JsonNode> docs;
        try {
            docs = Yamls.documents(file);
        } catch (RuntimeException e) {
            problems.add(file + ": not YAML: " + e.getMessage());
            return out;
        }
        for (JsonNode doc : docs) {
            Manifests.Parsed parsed = Manifests.parse(doc, ProjectRoot.get().relativize(file).toString());
            problems.addAll(parsed.problems);
            if (parsed.resource != null) {
                out.add(parsed.resource);
            }
        }
        return out;
    }

    static boolean isNamespaced(HasMetadata r) {
        return r instanceof Namespaced || r instanceof GenericKubernetesResource;
    }

    static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    static String imageName(String image) {
        if (image == null) {
            return "";
        }
        int at = image.indexOf('@');
        String s = at < 0 ? image : image.substring(0, at);
        int colon = s.lastIndexOf(':');
        return colon > s.lastIndexOf('/') ? s.substring(0, colon) : s;
    }

    /** The pod spec of a workload, if it is one. */
    static Optional<PodSpec> podSpec(HasMetadata r) {
        if (r instanceof io.fabric8.kubernetes.api.model.apps.Deployment) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.apps.Deployment) r).getSpec())
                    .map(s -> s.getTemplate()).map(t -> t.getSpec());
        }
        if (r instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.apps.DaemonSet) r).getSpec())
                    .map(s -> s.getTemplate()).map(t -> t.getSpec());
        }
        if (r instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.apps.StatefulSet) r).getSpec())
                    .map(s -> s.getTemplate()).map(t -> t.getSpec());
        }
        if (r instanceof io.fabric8.kubernetes.api.model.batch.v1.Job) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.batch.v1.Job) r).getSpec())
                    .map(s -> s.getTemplate()).map(t -> t.getSpec());
        }
        if (r instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.batch.v1.CronJob) r).getSpec())
                    .map(s -> s.getJobTemplate()).map(j -> j.getSpec()).map(s -> s.getTemplate()).map(t -> t.getSpec());
        }
        if (r instanceof io.fabric8.kubernetes.api.model.Pod) {
            return Optional.ofNullable(((io.fabric8.kubernetes.api.model.Pod) r).getSpec());
        }
        return Optional.empty();
    }

    static List<Container> containers(List<HasMetadata> resources) {
        return resources.stream().map(Kustomize::podSpec).flatMap(Optional::stream)
                .flatMap(s -> {
                    List<Container> all = new ArrayList<>(s.getContainers());
                    all.addAll(s.getInitContainers());
                    return all.stream();
                })
                .collect(Collectors.toList());
    }

    /** Every directory under root that holds a kustomization.yaml. */
    static List<Path> kustomizationDirs(Path root) {
        try (var walk = Files.walk(root)) {
            return walk.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
