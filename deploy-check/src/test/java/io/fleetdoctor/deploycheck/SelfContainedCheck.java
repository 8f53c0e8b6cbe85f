package io.fleetdoctor.deploycheck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A clone of this repository is all a user has: no text file may name the team folder that sits beside
 * the repository on the developers' machines (a relative {@code shared} one level up) or an absolute
 * path under {@code /work}. The patterns are written so that this file does not match them itself.
 */
final class SelfContainedCheck {

    /** The same expression as {@code git grep -nE} with dot-dot-slash-shared or slash-work-slash. */
    static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|/work(?=/)");

    /** What the walk skips when there is no git: build output, git's own data, and what .gitignore lists. */
    private static final Set<String> SKIPPED = Set.of("target", ".git", ".idea", ".vscode", ".fleetdoctor");

    private SelfContainedCheck() {
    }

    /** {@code file:line: text} for every offending line of the repository's text files under {@code root}. */
    static List<String> problems(Path root) {
        List<String> problems = new ArrayList<>();
        for (String file : files(root)) {
            Path p = root.resolve(file);
            if (!Files.isRegularFile(p)) {
                continue; // deleted in the work tree, not yet in the index
            }
            String text;
            try {
                byte[] bytes = Files.readAllBytes(p);
                if (binary(bytes)) {
                    continue;
                }
                text = new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (OUTSIDE.matcher(lines[i]).find()) {
                    problems.add(file + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        return problems;
    }

    /**
     * The files git would commit: tracked plus untracked-but-not-ignored ({@code git ls-files}). Without git,
     * or outside a git work tree, every file of the tree except {@link #SKIPPED} directories.
     */
    static List<String> files(Path root) {
        List<String> fromGit = gitLsFiles(root);
        if (fromGit != null) {
            return fromGit;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .filter(rel -> rel.getNameCount() > 0 && !skipped(rel))
                    .map(rel -> rel.toString().replace('\\', '/'))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED.contains(part.toString())) {
                return true; // a worktree's .git is a file naming the main repository's absolute path
            }
        }
        return false;
    }

    /** Null when git is missing or {@code root} is not in a git work tree. */
    private static List<String> gitLsFiles(Path root) {
        try {
            Process git = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                    .directory(root.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out;
            try (InputStream in = git.getInputStream()) {
                out = in.readAllBytes();
            }
            if (git.waitFor() != 0) {
                return null;
            }
            return Arrays.stream(new String(out, StandardCharsets.UTF_8).split("\0"))
                    .filter(s -> !s.isEmpty()).distinct().sorted().collect(Collectors.toList());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running git ls-files", e);
        }
    }

    /** Like git: a NUL byte in the first 8000 bytes makes a file binary. */
    private static boolean binary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8000); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }
}
