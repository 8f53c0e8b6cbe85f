package io.fleetdoctor.deploycheck;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root. Surefire runs with cwd deploy-check/, so the root is ".." unless told otherwise. */
final class ProjectRoot {

    private ProjectRoot() {
    }

    static Path get() {
        Path root = Path.of(System.getProperty("fleetdoctor.root", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("k8s"))) {
            throw new IllegalStateException("not the fleetdoctor root (no pom.xml and k8s/): " + root);
        }
        return root;
    }

    static Path k8s() {
        return get().resolve("k8s");
    }

    static Path compose() {
        return get().resolve("docker-compose.yml");
    }
}
