package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every kustomization resolves; every overlay builds into a system with least-privilege RBAC, hardened pods
 *  and complete wiring. */
class OverlayChecksTest {

    static java.util.stream.Stream<String> overlays() {
        return Overlays.names();
    }

    @Test
    void everyKustomizationResolves() {
        List<String> problems = Kustomize.kustomizationDirs(ProjectRoot.k8s()).stream()
                .filter(dir -> !Yamls.single(dir.resolve("kustomization.yaml")).path("kind").asText().equals("Component"))
                .flatMap(dir -> Kustomize.build(dir).problems.stream())
                .collect(Collectors.toList());
        assertEquals(List.of(), problems);
    }

    @Test
    void everyComponentIsUsedByAnOverlay() {
        List<Path> components = Kustomize.kustomizationDirs(ProjectRoot.k8s()).stream()
                .filter(dir -> Yamls.single(dir.resolve("kustomization.yaml")).path("kind").asText().equals("Component"))
                .collect(Collectors.toList());
        List<String> unused = components.stream()
                .filter(c -> Overlays.names().noneMatch(o -> containsComponent(o, c)))
                .map(Path::toString).collect(Collectors.toList());
        assertEquals(List.of(), unused);
    }

    private static boolean containsComponent(String overlay, Path component) {
        for (var c : Yamls.single(Overlays.dir(overlay).resolve("kustomization.yaml")).path("components")) {
            if (Overlays.dir(overlay).resolve(c.asText()).normalize().equals(component)) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void rbacIsLeastPrivilege(String overlay) {
        assertEquals(List.of(), RbacCheck.check(Overlays.build(overlay)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void podsAreHardened(String overlay) {
        assertEquals(List.of(), HardeningCheck.check(Overlays.build(overlay)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void servicesAreWired(String overlay) {
        assertEquals(List.of(), WiringCheck.check(Overlays.build(overlay)));
    }
}
