package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every YAML document under k8s/ is a well-formed object of its Kubernetes kind, with no unknown field. */
class ManifestFilesTest {

    private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "namespace", "labels",
            "resources", "components", "patches", "images", "replicas", "configMapGenerator", "secretGenerator",
            "generatorOptions");

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(ProjectRoot.k8s())) {
            return walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void everyDocumentDeserializesStrictlyAsItsKind() throws IOException {
        List<String> problems = new ArrayList<>();
        int documents = 0;
        for (Path file : yamlFiles()) {
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            for (JsonNode doc : Yamls.documents(file)) {
                Manifests.Parsed parsed = Manifests.parse(doc, ProjectRoot.get().relativize(file).toString());
                problems.addAll(parsed.problems);
                documents++;
                if (parsed.resource != null && parsed.resource.getKind().equals("Secret")) {
                    problems.add(file + ": a Secret in the repository; secrets are created out of band (k8s/README.md)");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(documents >= 30, "found only " + documents + " documents");
    }

    @Test
    void typedKindsAndCustomResources() {
        Manifests.Parsed ds = Manifests.parse(Yamls.single(ProjectRoot.k8s().resolve("base/node-agent/daemonset.yaml")), "ds");
        assertTrue(ds.resource instanceof DaemonSet);
        Manifests.Parsed role = Manifests.parse(Yamls.single(ProjectRoot.k8s().resolve("base/app/collector/clusterrole.yaml")), "cr");
        assertTrue(role.resource instanceof ClusterRole);
        for (JsonNode doc : Yamls.documents(ProjectRoot.k8s().resolve("base/kafka/topics.yaml"))) {
            Manifests.Parsed topic = Manifests.parse(doc, "topic");
            assertTrue(topic.resource instanceof GenericKubernetesResource);
            assertEquals("KafkaTopic", topic.resource.getKind());
        }
    }

    @Test
    void everyKustomizationIsWellFormed() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path dir : Kustomize.kustomizationDirs(ProjectRoot.k8s())) {
            JsonNode k = Yamls.single(dir.resolve("kustomization.yaml"));
            String kind = k.path("kind").asText();
            String apiVersion = k.path("apiVersion").asText();
            if (!(kind.equals("Kustomization") && apiVersion.equals("kustomize.config.k8s.io/v1beta1"))
                    && !(kind.equals("Component") && apiVersion.equals("kustomize.config.k8s.io/v1alpha1"))) {
                problems.add(dir + ": " + apiVersion + "/" + kind);
            }
            k.fieldNames().forEachRemaining(f -> {
                if (!KUSTOMIZATION_FIELDS.contains(f)) {
                    problems.add(dir + ": unexpected field " + f + " (deprecated or misspelt)");
                }
            });
        }
        assertEquals(List.of(), problems);
    }

    // ---- the strict parser must be able to fail ----------------------------------------------------------

    @Test
    void reportsMisspeltFieldThatFabric8WouldSilentlyKeep() {
        String pod = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n"
                + "      containers:\n        - name: a\n          readinesProbe: {httpGet: {path: /q/health/ready, port: 8080}}\n"
                + "          securityContext: {runAsNonRot: true}\n";
        List<String> problems = Manifests.parse(Yamls.single(write(pod)), "bad").problems;
        assertReported(problems, "unknown field(s) [readinesProbe]");
        assertReported(problems, "unknown field(s) [runAsNonRot]");
    }

    @Test
    void reportsUnknownKindAndMissingName() {
        List<String> problems = Manifests.parse(Yamls.documents("apiVersion: v1\nkind: Deploymnet\nmetadata: {}\n").get(0), "bad").problems;
        assertReported(problems, "v1/Deploymnet is not a Kubernetes kind");
        assertReported(problems, "no metadata.name");
        assertFalse(Manifests.parse(Yamls.documents("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata: {a: b}\n").get(0),
                "good").problems.iterator().hasNext());
    }

    @Test
    void reportsDuplicateKeys() {
        try {
            Yamls.documents("a: 1\na: 2\n");
        } catch (RuntimeException e) {
            assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
            return;
        }
        throw new AssertionError("duplicate key accepted");
    }

    private static Path write(String text) {
        try {
            Path f = Files.createTempFile("deploy-check", ".yaml");
            Files.writeString(f, text);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
