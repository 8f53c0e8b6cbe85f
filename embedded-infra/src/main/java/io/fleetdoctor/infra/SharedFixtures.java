package io.fleetdoctor.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the team's {@code shared/} directory (contract, fixtures), which lives beside the project
 * root: {@code -Dfleetdoctor.shared.dir}, {@code $FLEETDOCTOR_SHARED}, else the nearest
 * {@code shared/} with a {@code contract/} above the working directory, else {@code /work/shared}.
 */
public final class SharedFixtures {
    private SharedFixtures() {
    }

    public static Path dir() {
        String configured = System.getProperty("fleetdoctor.shared.dir", System.getenv("FLEETDOCTOR_SHARED"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared");
            if (Files.isDirectory(candidate.resolve("contract"))) {
                return candidate;
            }
        }
        return Path.of("/work/shared");
    }

    /** A file under {@code shared/}, e.g. {@code contract/examples/seed-incident.jsonl}. */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("shared file not found: " + p
                    + " (set FLEETDOCTOR_SHARED to the shared/ directory)");
        }
        return p;
    }

    public static Path seedTrace() {
        return file("contract/examples/seed-incident.jsonl");
    }
}
