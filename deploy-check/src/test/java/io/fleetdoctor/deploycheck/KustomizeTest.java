package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kustomize model must catch broken references and the namespace trap. */
class KustomizeTest {

    @TempDir
    Path tmp;

    private Path overlay(String kustomization) throws IOException {
        Path dir = tmp.resolve("overlay");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), kustomization);
        return dir;
    }

    private String base() {
        return ProjectRoot.k8s().resolve("base").toString();
    }

    private String component(String name) {
        return ProjectRoot.k8s().resolve("components").resolve(name).toString();
    }

    @Test
    void flannelRolesStayInTheirNamespaces() {
        List<String> namespaces = Overlays.build("dev").stream().filter(Role.class::isInstance)
                .map(r -> r.getMetadata().getNamespace()).collect(Collectors.toList());
        assertEquals(List.of("kube-system"), namespaces);
        List<String> prod = Overlays.build("prod").stream().filter(Role.class::isInstance)
                .map(r -> r.getMetadata().getNamespace()).collect(Collectors.toList());
        assertEquals(List.of("kube-flannel"), prod);
    }

    @Test
    void reportsMissingResourcesPatchesAndComponents() throws IOException {
        Path dir = overlay("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "resources:\n  - " + base() + "\n  - missing.yaml\n"
                + "components:\n  - ../nope\n"
                + "images:\n  - name: fleetdoctor/analyzer-servise\n    newTag: x\n"
                + "patches:\n  - path: gone.yaml\n"
                + "  - target: {kind: Deployment, name: analyser}\n    patch: '[]'\n");
        List<String> problems = Kustomize.build(dir).problems;
        assertReported(problems, "resource missing.yaml does not exist");
        assertReported(problems, "component ../nope does not exist");
        assertReported(problems, "image fleetdoctor/analyzer-servise is used by no container");
        assertReported(problems, "patch gone.yaml does not exist");
        assertReported(problems, "matches nothing");
    }

    @Test
    void reportsComponentListedAsResource() throws IOException {
        Path dir = overlay("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "resources:\n  - " + component("flannel-rbac-kube-system") + "\n");
        assertReported(Kustomize.build(dir).problems, "kind Component listed under resources");
    }

    @Test
    void namespaceOverTheWholeBaseIsAnIdConflict() throws IOException {
        // both Namespace objects get renamed to the same name: kustomize refuses to build
        Path dir = overlay(namespaceTrap(base()));
        assertReported(Kustomize.build(dir).problems, "ID conflict, Namespace null/fleetdoctor-staging twice");
    }

    @Test
    void namespaceOverTheAppMovesTheFlannelRoleAndIsCaught() throws IOException {
        Path dir = overlay(namespaceTrap(ProjectRoot.k8s().resolve("base/app").toString()));
        Kustomize.Build build = Kustomize.build(dir);
        assertEquals(List.of(), build.problems);
        List<String> problems = RbacCheck.check(build.resources);
        assertReported(problems, "may patch daemonsets in none of the flannel namespaces");
        assertReported(problems, "subject ServiceAccount fleetdoctor/remediator is not deployed");
    }

    /** An overlay that sets `namespace:` over the given base and the kube-system flannel component. */
    static String namespaceTrap(String base) {
        return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "namespace: fleetdoctor-staging\n"
                + "resources:\n  - " + base + "\n"
                + "components:\n  - " + ProjectRoot.k8s().resolve("components/flannel-rbac-kube-system") + "\n";
    }
}
