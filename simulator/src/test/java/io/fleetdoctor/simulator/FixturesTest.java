package io.fleetdoctor.simulator;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The copy bundled in the jar (for clones without shared/) is the same as shared/fixtures. */
class FixturesTest {
    @Test
    void bundledCopyMatchesSharedFixtures() throws Exception {
        Fixtures shared = Fixtures.locate(null);
        Assumptions.assumeTrue(!shared.origin().startsWith("the copy"), "no shared/fixtures here");
        Path dir = Path.of(shared.origin());
        Fixtures bundled = Fixtures.bundled();
        try (InputStream in = bundled.openManifest()) {
            assertEquals(Files.readString(dir.resolve(Fixtures.FLANNEL_MANIFEST)),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "copy shared/fixtures/" + Fixtures.FLANNEL_MANIFEST + " to src/main/resources/io/fleetdoctor/simulator/fixtures/");
        }
        for (String log : List.of("kube-controller-manager-previous.log", "kube-scheduler-previous.log",
                "kube-flannel-start.log", "etcd-slow-disk.log")) {
            String b = bundled.log(log, null);
            assertNotNull(b, log);
            assertEquals(Files.readString(dir.resolve("logs").resolve(log)), b, log);
        }
    }
}
