package io.fleetdoctor.analyzer.incident;

import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.EmbeddedPostgresServer;
import io.fleetdoctor.infra.SharedInfra;
import io.fleetdoctor.outbox.OutboxEvent;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * V2 on a database written by the previous analyzer: decisions to publish move to the outbox with
 * their state, under the id the outbox module gives them, and the history points at them.
 */
class OutboxMigrationTest {

    @Test
    void decisionsMoveToTheOutboxWithTheirState() throws SQLException {
        EmbeddedPostgresServer pg = SharedInfra.get().postgres();
        String schema = "analyzer_v2_" + UUID.randomUUID().toString().substring(0, 8);
        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).target("1").load()
                .migrate();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            s.execute("insert into incident values ('inc-1', 'c-1', 'flannel-iface', 'open', 'critical', 0.9, 's',"
                    + " '[]', null, now(), now(), null, 0)");
            s.execute("insert into incident_decision (incident_id, seq, status, kind, event_time, summary, publish,"
                    + " payload, created_at, published_at) values"
                    + " ('inc-1', 1, 'open', 'OPEN', now(), 's', true, '{\"id\":\"inc-1-1\"}', now() - interval '2 min',"
                    + "  '2020-12-22T13:20:00Z'),"
                    + " ('inc-1', 2, 'open', 'EVIDENCE', now(), 's', false, '{\"id\":\"inc-1-2\"}', now(), null),"
                    + " ('inc-1', 3, 'open', 'UPDATED', now(), 's', true, '{\"id\":\"inc-1-3\"}', now(), null)");
        }

        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).load().migrate();

        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select o.id, d.seq, o.aggregate_type, o.aggregate_id, o.event_type,"
                    + " o.destination, o.message_key, o.payload, o.attempts, o.delivered_at"
                    + " from incident_decision d join outbox o on o.id = d.outbox_id order by o.seq")) {
                while (rs.next()) {
                    UUID expected = OutboxEvent.of(Topics.DECISIONS, "incident", "inc-1", EventType.DECISION.id(),
                            "inc-1-" + rs.getInt(2), "{}").id();
                    assertEquals(expected, rs.getObject(1, UUID.class), "the id Outbox.emit would give it");
                    rows.add(rs.getInt(2) + " " + rs.getString(3) + " " + rs.getString(4) + " " + rs.getString(5)
                            + " " + rs.getString(6) + " " + rs.getString(7) + " " + rs.getString(8) + " "
                            + rs.getInt(9) + " " + (rs.getTimestamp(10) == null ? null
                            : rs.getTimestamp(10).toInstant()));
                }
            }
            assertEquals(List.of(
                    "1 incident inc-1 io.fleetdoctor.decision.v1 fleetdoctor.decisions c-1 {\"id\":\"inc-1-1\"} 1"
                            + " 2020-12-22T13:20:00Z",
                    "3 incident inc-1 io.fleetdoctor.decision.v1 fleetdoctor.decisions c-1 {\"id\":\"inc-1-3\"} 0"
                            + " null"), rows);
            try (ResultSet rs = s.executeQuery("select outbox_id from incident_decision where seq = 2")) {
                rs.next();
                assertNull(rs.getObject(1), "not published, not in the outbox");
            }
        } finally {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("drop schema " + schema + " cascade");
            }
        }
    }
}
