package io.fleetdoctor.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The team's {@code shared/fixtures}: {@code --fixtures}, else {@code $FLEETDOCTOR_SHARED/fixtures} (or
 * {@code -Dfleetdoctor.shared.dir}), else the nearest {@code shared/fixtures} above the working
 * directory, else {@code /work/shared/fixtures}; when none exists (a clone without the shared
 * directory), the copy bundled in this jar (same files, checked against shared/ by the tests). Same
 * search as embedded-infra's SharedFixtures, which this module does not depend on (it would pull
 * Kafka and PostgreSQL into the simulator's class path).
 */
public final class Fixtures {
    public static final String FLANNEL_MANIFEST = "kube-flannel-v0.13.1-rc1.yaml";
    static final String BUNDLED = "/io/fleetdoctor/simulator/fixtures/";

    /** Null: the bundled copy. */
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
        Path work = Path.of("/work/shared/fixtures");
        return Files.isRegularFile(work.resolve(FLANNEL_MANIFEST)) ? new Fixtures(work) : bundled();
    }

    public static Fixtures bundled() {
        return new Fixtures(null);
    }

    private static Fixtures check(Path dir) {
        if (!Files.isRegularFile(dir.resolve(FLANNEL_MANIFEST))) {
            throw new IllegalStateException("fixtures not found: " + dir.resolve(FLANNEL_MANIFEST)
                    + " (use --fixtures DIR or set FLEETDOCTOR_SHARED to the shared/ directory)");
        }
        return new Fixtures(dir);
    }

    /** Where the fixtures come from, for the terminal. */
    public String origin() {
        return dir == null ? "the copy bundled in the simulator jar" : dir.toString();
    }

    public InputStream openManifest() throws IOException {
        if (dir != null) {
            return Files.newInputStream(dir.resolve(FLANNEL_MANIFEST));
        }
        InputStream in = Fixtures.class.getResourceAsStream(BUNDLED + FLANNEL_MANIFEST);
        if (in == null) {
            throw new IOException("bundled " + FLANNEL_MANIFEST + " missing from the class path");
        }
        return in;
    }

    /** A log of {@code logs/}, or the given fallback when the file is missing. */
    public String log(String name, String fallback) {
        try {
            if (dir != null) {
                return Files.readString(dir.resolve("logs").resolve(name), StandardCharsets.UTF_8);
            }
            try (InputStream in = Fixtures.class.getResourceAsStream(BUNDLED + "logs/" + name)) {
                return in == null ? fallback : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return fallback;
        }
    }
}
