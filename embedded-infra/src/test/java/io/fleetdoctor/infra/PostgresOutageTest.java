package io.fleetdoctor.infra;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outage the fault tests inject: the real server stopped, connections refused, then back with its data. */
class PostgresOutageTest {

    @Test
    void stoppedServerRefusesConnectionsAndComesBackWithItsData() throws Exception {
        Path dir = Files.createTempDirectory("fleetdoctor-pg-outage-");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir)) {
            try (Connection c = connect(pg)) {
                c.createStatement().execute("create table kept (v int); insert into kept values (42)");
            }
            pg.stopServer();
            assertThrows(SQLException.class, () -> connect(pg).close(), "a stopped server refuses connections");

            pg.restartServer();
            try (Connection c = connect(pg); ResultSet rs = c.createStatement().executeQuery("select v from kept")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1), "same data directory, same port");
            }
        } finally {
            EmbeddedKafka.deleteTree(dir.toFile());
        }
    }

    private static Connection connect(EmbeddedPostgresServer pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }
}
