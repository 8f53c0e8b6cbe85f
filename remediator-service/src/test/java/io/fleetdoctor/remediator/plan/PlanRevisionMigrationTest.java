package io.fleetdoctor.remediator.plan;

import io.fleetdoctor.infra.EmbeddedPostgresServer;
import io.fleetdoctor.infra.SharedInfra;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * V103 on a database of the previous remediator: existing plans become revision 1 with their diff hash as
 * plan hash (so their approvals still count), and the database keeps at most one live plan per incident.
 */
class PlanRevisionMigrationTest {

    static String plan(String id, String incident, String state, String finished, String extraCols, String extraVals) {
        return "insert into plan (id, incident_id, cluster, cluster_class, rule, state, evidence_json,"
                + " recommendation_json, changes_json, checks_json, diff, diff_hash, needs_override, approvals_required,"
                + " created_at, updated_at, expires_at, finished_at" + extraCols + ") values ('" + id + "', '" + incident
                + "', 'c-1', 'default', 'flannel-iface', '" + state + "', '[]', '{}', '[]', '[]', '', 'diff-" + id
                + "', false, 1, now(), now(), now() + interval '1 day', " + finished + extraVals + ")";
    }

    @Test
    void oldPlansKeepTheirDiffHashAndOnlyOneLivePlanPerIncident() throws SQLException {
        EmbeddedPostgresServer pg = SharedInfra.get().postgres();
        String schema = "remediator_v103_" + UUID.randomUUID().toString().substring(0, 8);
        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).target("101").load()
                .migrate();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            s.execute(plan("p-pending", "i-1", "PENDING_APPROVAL", "null", "", ""));
            s.execute(plan("p-done", "i-2", "REJECTED", "now()", "", ""));
            s.execute("insert into plan_approval (plan_id, approver, comment, channel, diff_hash, at) values"
                    + " ('p-pending', 'alice', null, 'rest', 'diff-p-pending', now())");
        }

        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).load().migrate();

        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select id, revision, plan_hash, supersedes, owner_manager from plan order by id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                            + rs.getString(5));
                }
            }
            assertEquals(List.of("p-done 1 diff-p-done null null", "p-pending 1 diff-p-pending null null"), rows);
            try (ResultSet rs = s.executeQuery("select plan_hash from plan_approval where plan_id = 'p-pending'")) {
                assertTrue(rs.next());
                assertEquals("diff-p-pending", rs.getString(1), "the old approval still counts for the plan's hash");
            }

            // a second live plan of i-1 is refused; i-2's only plan has finished, so it may get a new one
            SQLException e = assertThrows(SQLException.class, () -> s.execute(plan("p-second", "i-1", "PENDING_APPROVAL",
                    "null", ", revision, plan_hash", ", 2, 'h'")));
            assertTrue(e.getMessage().contains("plan_incident_live"), e.getMessage());
            s.execute(plan("p-next", "i-2", "PENDING_APPROVAL", "null", ", revision, supersedes, plan_hash",
                    ", 2, 'p-done', 'h'"));
            // the same person approving the same plan hash twice counts once
            s.execute("insert into plan_approval (plan_id, approver, channel, diff_hash, plan_hash, at) values"
                    + " ('p-next', 'bob', 'rest', 'd', 'h', now())");
            assertThrows(SQLException.class, () -> s.execute("insert into plan_approval (plan_id, approver, channel,"
                    + " diff_hash, plan_hash, at) values ('p-next', 'bob', 'slack', 'd2', 'h', now())"));
        } finally {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("drop schema " + schema + " cascade");
            }
        }
    }
}
