package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test helpers around the overlays under k8s/overlays. */
final class Overlays {

    private Overlays() {
    }

    static Stream<String> names() {
        try (Stream<Path> list = Files.list(ProjectRoot.k8s().resolve("overlays"))) {
            List<String> names = list.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml")))
                    .map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertTrue(names.size() >= 2, "expected at least two overlays, found " + names);
            return names.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir(String overlay) {
        return ProjectRoot.k8s().resolve("overlays").resolve(overlay);
    }

    static List<HasMetadata> build(String overlay) {
        Kustomize.Build build = Kustomize.build(dir(overlay));
        assertTrue(build.problems.isEmpty(), () -> overlay + ": " + build.problems);
        return build.resources;
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T find(List<HasMetadata> resources, Class<T> type, String namespace, String name) {
        return (T) resources.stream()
                .filter(r -> type.isInstance(r) && r.getMetadata().getName().equals(name)
                        && (namespace == null || namespace.equals(r.getMetadata().getNamespace())))
                .findFirst().orElseThrow(() -> new AssertionError(type.getSimpleName() + " " + namespace + "/" + name + " not built"));
    }

    static void assertReported(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                () -> "expected a problem containing '" + expected + "', got " + problems);
    }
}
