package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing in the repository reads or names a folder beside it or an absolute path of the machines it is built on. */
class SelfContainedTest {

    // built from pieces, so that this file does not match the check itself
    private static final String BESIDE = ".." + "/shared";
    private static final String WORK = "/work" + "/";

    @Test
    void noTextFileNamesAPathOutsideTheRepository() {
        Path root = ProjectRoot.get();
        List<String> files = SelfContainedCheck.files(root);
        assertTrue(files.contains("pom.xml") && files.contains("docs/contract/EVENTS.md")
                && files.contains("fixtures/src/main/resources/io/fleetdoctor/fixtures/seed-incident.jsonl"), files.toString());
        assertEquals(List.of(), SelfContainedCheck.problems(root),
                "the repository must stand on its own: use docs/ and the fixtures module (io.fleetdoctor.fixtures.Fixtures)");
    }

    @Test
    void reportsEachOffendingLineWithItsFileAndNumber(@TempDir Path dir) throws IOException {
        write(dir.resolve("README.md"), "# fine\n\nsee `" + BESIDE + "/contract/EVENTS.md`\n");
        write(dir.resolve("src/Seed.java"), "class Seed {\n    Path p = Path.of(\"" + WORK + "shared/fixtures\");\n}\n");
        write(dir.resolve("run.sh"), "cd " + WORK + "main && ./mvnw verify\r\n");
        write(dir.resolve("ok.md"), "shared by the services; shared/ here; " + "/work" + "flow/x; /workspace\n");
        // skipped: build output, and a worktree's .git file (it names the main repository's absolute path)
        write(dir.resolve("target/classes/x.txt"), WORK + "x\n");
        write(dir.resolve(".git"), "gitdir: " + WORK + "main/.git/worktrees/x\n");
        Files.write(dir.resolve("blob.bin"), new byte[] {0, '/', 'w', 'o', 'r', 'k', '/'});

        assertEquals(List.of(
                "README.md:3: see `" + BESIDE + "/contract/EVENTS.md`",
                "run.sh:1: cd " + WORK + "main && ./mvnw verify",
                "src/Seed.java:2: Path p = Path.of(\"" + WORK + "shared/fixtures\");"),
                SelfContainedCheck.problems(dir));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
