package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real thing, where kubectl is installed: {@code kubectl kustomize} renders each overlay (patches applied),
 * the rendering parses strictly, passes the same RBAC, hardening and wiring checks, and contains exactly the
 * objects the kustomize model of {@link Kustomize} predicts. Skipped (not failed) without kubectl.
 */
class KubectlKustomizeTest {

    static java.util.stream.Stream<String> overlays() {
        return Overlays.names();
    }

    /** kubectl from -Dfleetdoctor.kubectl (a path, or "none" to skip), else from the PATH. */
    private static Path kubectl() {
        String configured = System.getProperty("fleetdoctor.kubectl", "");
        if (configured.equals("none")) {
            return null;
        }
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<HasMetadata> render(String overlay) throws IOException, InterruptedException {
        return render(Overlays.dir(overlay), overlay);
    }

    private static List<HasMetadata> render(Path dir, String overlay) throws IOException, InterruptedException {
        Path kubectl = kubectl();
        assumeTrue(kubectl != null, "kubectl not on PATH");
        Path out = Files.createTempFile("kustomize-" + overlay, ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile()).redirectErrorStream(false).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + overlay + " timed out");
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "kubectl kustomize " + overlay + ": " + err);
            List<String> problems = new ArrayList<>();
            List<HasMetadata> rendered = new ArrayList<>();
            for (JsonNode doc : Yamls.documents(out)) {
                Manifests.Parsed parsed = Manifests.parse(doc, "kubectl kustomize " + overlay);
                problems.addAll(parsed.problems);
                if (parsed.resource != null) {
                    rendered.add(parsed.resource);
                }
            }
            assertEquals(List.of(), problems);
            return rendered;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Set<String> identities(List<HasMetadata> resources) {
        return resources.stream().map(r -> r.getKind() + " " + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void renderedOverlayPassesEveryCheck(String overlay) throws Exception {
        List<HasMetadata> rendered = render(overlay);
        List<String> problems = new ArrayList<>();
        problems.addAll(RbacCheck.check(rendered));
        problems.addAll(HardeningCheck.check(rendered));
        problems.addAll(WiringCheck.check(rendered));
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kustomizeModelPredictsTheRendering(String overlay) throws Exception {
        List<HasMetadata> rendered = render(overlay);
        List<HasMetadata> modelled = Overlays.build(overlay);
        assertEquals(identities(rendered), identities(modelled));
        // object by object, field by field: the checks that run without kubectl see what kubectl would apply
        Map<String, JsonNode> expected = byIdentity(rendered);
        Map<String, JsonNode> actual = byIdentity(modelled);
        for (String id : expected.keySet()) {
            assertEquals(expected.get(id), actual.get(id), id);
        }
    }

    /**
     * The namespace trap behaves in kubectl as the model says: over the whole base it is an ID conflict, over
     * the app alone it silently moves the flannel Role, and the RBAC check catches that.
     */
    @org.junit.jupiter.api.Test
    void namespaceTrapBehavesAsModelled() throws Exception {
        assumeTrue(kubectl() != null, "kubectl not on PATH");
        // kustomize refuses absolute paths in resources: build the overlay inside the module's target/
        Path dir = Path.of("target", "namespace-trap").toAbsolutePath();
        Files.createDirectories(dir);
        Path k8s = dir.relativize(ProjectRoot.k8s());
        Files.writeString(dir.resolve("kustomization.yaml"), KustomizeTest.namespaceTrap(k8s.resolve("base").toString())
                .replace(ProjectRoot.k8s().resolve("components").toString(), k8s.resolve("components").toString()));
        Process p = new ProcessBuilder(kubectl().toString(), "kustomize", dir.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        org.junit.jupiter.api.Assertions.assertNotEquals(0, p.exitValue());
        org.junit.jupiter.api.Assertions.assertTrue(err.contains("ID conflict"), err);

        Files.writeString(dir.resolve("kustomization.yaml"), KustomizeTest.namespaceTrap(k8s.resolve("base/app").toString())
                .replace(ProjectRoot.k8s().resolve("components").toString(), k8s.resolve("components").toString()));
        List<HasMetadata> rendered = render(dir, "namespace-trap");
        List<HasMetadata> modelled = Kustomize.build(dir).resources;
        assertEquals(byIdentity(rendered), byIdentity(modelled));
        List<String> problems = RbacCheck.check(rendered);
        Overlays.assertReported(problems, "may patch daemonsets in none of the flannel namespaces");
    }

    private static Map<String, JsonNode> byIdentity(List<HasMetadata> resources) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (HasMetadata r : resources) {
            out.put(r.getKind() + " " + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
                    Yamls.JSON.readTree(Manifests.SERIALIZATION.asJson(r)));
        }
        return out;
    }
}
