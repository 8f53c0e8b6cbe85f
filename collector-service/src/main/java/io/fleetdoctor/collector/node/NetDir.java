package io.fleetdoctor.collector.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which procfs {@code net} directory shows the node's network. {@code <procfs>/net} is a link to
 * {@code <procfs>/self/net}: the network namespace of the process that reads it, so a node agent in a pod
 * network would see its pod's eth0, 10.244.x address and default route. {@code <procfs>/1/net} is the
 * namespace of PID 1: with {@code hostPID} (or the host's /proc mounted) that is the node's init, so the
 * agent reads the node's routes and addresses without joining the host network.
 */
final class NetDir {

    /** Best first: the node's (PID 1), the reader's own, and the plain {@code net} of fixture trees. */
    static final List<String> CANDIDATES = List.of("1/net", "self/net", "net");

    /**
     * @param dir          the directory chosen
     * @param routeLines   its {@code route} file, read while choosing (the proof that it is readable)
     * @param pid1Problem  why {@code <procfs>/1/net} was not used, or null when it was
     */
    record Chosen(Path dir, List<String> routeLines, String pid1Problem) {
        boolean isPid1() {
            return pid1Problem == null;
        }
    }

    private NetDir() {
    }

    /** The first candidate whose {@code route} file can be read, or null when none can. */
    static Chosen choose(Path procfs) {
        String pid1Problem = null;
        for (String c : CANDIDATES) {
            Path dir = procfs.resolve(c);
            try {
                List<String> lines = Files.readAllLines(dir.resolve("route"), StandardCharsets.US_ASCII);
                return new Chosen(dir, lines, pid1Problem);
            } catch (IOException | UncheckedIOException e) {
                if (pid1Problem == null) {
                    pid1Problem = describe(e);
                }
            }
        }
        return null;
    }

    /** True when {@code procfs} has a readable {@code route} in one of the candidates. */
    static boolean readable(Path procfs) {
        return CANDIDATES.stream().anyMatch(c -> Files.isReadable(procfs.resolve(c).resolve("route")));
    }

    /**
     * One line for the log: which namespace is read and, where the kernel lets us see them (readlink of
     * {@code ns/net} needs ptrace access to PID 1), the namespace ids, so "reads the pod's own network"
     * is visible at a glance.
     */
    static String describe(Path procfs, Chosen chosen) {
        String ns = namespaces(procfs);
        if (chosen.isPid1()) {
            return "interface inventory: reading the network namespace of PID 1 (the node's, with hostPID or the "
                    + "host's /proc): " + chosen.dir() + ns;
        }
        if (chosen.dir().endsWith(Path.of("self", "net"))) {
            return "interface inventory: " + procfs.resolve("1/net") + " is not readable (" + chosen.pid1Problem()
                    + "); reading this process's own network namespace " + chosen.dir()
                    + " instead: in a pod without hostPID these are the pod's interfaces and routes, not the node's"
                    + ns;
        }
        return "interface inventory: reading " + chosen.dir() + " (a tree without 1/net or self/net: "
                + chosen.pid1Problem() + ")" + ns;
    }

    private static String namespaces(Path procfs) {
        String pid1 = link(procfs.resolve("1/ns/net"));
        String self = link(procfs.resolve("self/ns/net"));
        if (pid1 == null || self == null) {
            return "";
        }
        return pid1.equals(self) ? " (" + pid1 + ", the same namespace as this process)"
                : " (" + pid1 + "; this process is in " + self + ")";
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static String describe(Exception e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof NoSuchFileException) {
            return "no such file";
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied";
        }
        return t.toString();
    }
}
