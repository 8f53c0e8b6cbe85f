package io.fleetdoctor.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The team's {@code shared/fixtures} directory: {@code --fixtures}, else {@code $FLEETDOCTOR_SHARED/fixtures}
 * (or {@code -Dfleetdoctor.shared.dir}), else the nearest {@code shared/fixtures} above the working
 * directory, else {@code /work/shared/fixtures}. Same search as embedded-infra's SharedFixtures, which
 * this module does not depend on (it would pull Kafka and PostgreSQL into the simulator's classpath).
 */
public final class Fixtures {
    public static final String FLANNEL_MANIFEST = "kube-flannel-v0.13.1-rc1.yaml";

    private final Path dir;

    public Fixtures(Path dir) {
        this.dir = dir;
    }

    public static Fixtures locate(Path configured) {
        if (configured != null) {
            return check(configured.toAbsolutePath().normalize());
        }
        String shared = System.getProperty("fleetdoctor.shared.dir", System.getenv("FLEETDOCTOR_SHARED"));
        if (shared != null && !shared.isBlank()) {
            return check(Path.of(shared).resolve("fixtures").toAbsolutePath().normalize());
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("fixtures");
            if (Files.isRegularFile(candidate.resolve(FLANNEL_MANIFEST))) {
                return new Fixtures(candidate);
            }
        }
        return check(Path.of("/work/shared/fixtures"));
    }

    private static Fixtures check(Path dir) {
        if (!Files.isRegularFile(dir.resolve(FLANNEL_MANIFEST))) {
            throw new IllegalStateException("fixtures not found: " + dir.resolve(FLANNEL_MANIFEST)
                    + " (use --fixtures DIR or set FLEETDOCTOR_SHARED to the shared/ directory)");
        }
        return new Fixtures(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path flannelManifest() {
        return dir.resolve(FLANNEL_MANIFEST);
    }

    /** A log of {@code logs/}, or the given fallback when the file is missing. */
    public String log(String name, String fallback) {
        Path p = dir.resolve("logs").resolve(name);
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fallback;
        }
    }
}
