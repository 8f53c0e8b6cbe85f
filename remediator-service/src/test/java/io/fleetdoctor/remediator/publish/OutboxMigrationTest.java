package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.EmbeddedPostgresServer;
import io.fleetdoctor.infra.SharedInfra;
import io.fleetdoctor.outbox.OutboxEvent;
import io.fleetdoctor.remediator.notify.SlackOutboxSender;
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

/**
 * V101 on a database written by the previous remediator: both old outboxes move into the one
 * outbox, oldest first, with their delivery state, under the ids the outbox module gives them.
 */
class OutboxMigrationTest {

    @Test
    void remediationEventsAndSlackMessagesMoveWithTheirState() throws SQLException {
        EmbeddedPostgresServer pg = SharedInfra.get().postgres();
        String schema = "remediator_v101_" + UUID.randomUUID().toString().substring(0, 8);
        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).target("100").load()
                .migrate();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            s.execute("insert into remediation_outbox (cluster, event_id, payload, created_at, sent_at) values"
                    + " ('c-1', 'p-1:NEW:PENDING_APPROVAL', convert_to('{\"id\":\"p-1:NEW:PENDING_APPROVAL\"}',"
                    + "  'UTF8'), now() - interval '1 min', now()),"
                    + " ('c-1', 'p-1:PENDING_APPROVAL:APPROVED', convert_to('{\"state\":\"APPROVED\"}', 'UTF8'), now(),"
                    + "  null)");
            s.execute("insert into notify_outbox (event_key, plan_id, cluster, kind, payload, target_url, attempts,"
                    + " delivered_at, dead_at, last_error) values"
                    + " ('p-1|null>PENDING_APPROVAL', 'p-1', 'c-1', 'awaiting_approval', '{\"text\":\"a\"}', null, 1,"
                    + "  now(), null, null),"
                    + " ('p-1|PENDING_APPROVAL>APPROVED', 'p-1', 'c-1', 'approved', '{\"text\":\"b\"}', null, 4, null,"
                    + "  null, 'HTTP 503'),"
                    + " ('reply|r-1', 'reply:p-1', null, 'interaction_reply', '{\"text\":\"c\"}',"
                    + "  'https://hooks.slack.com/actions/1', 1, null, now(), 'HTTP 400')");
        }

        Flyway.configure().dataSource(pg.jdbcUrl(), pg.user(), pg.password()).schemas(schema).load().migrate();

        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("set search_path to " + schema);
            List<String> rows = new ArrayList<>();
            List<UUID> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select id, destination, aggregate_type, aggregate_id, event_type,"
                    + " message_key, target, payload, attempts, delivered_at is not null, dead_at is not null,"
                    + " last_error from outbox order by seq")) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                    StringBuilder row = new StringBuilder();
                    for (int i = 2; i <= 12; i++) {
                        row.append(i > 2 ? " " : "").append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            assertEquals(List.of(
                    "fleetdoctor.remediations plan p-1 io.fleetdoctor.remediation.v1 c-1 null"
                            + " {\"id\":\"p-1:NEW:PENDING_APPROVAL\"} 1 t f null",
                    "fleetdoctor.remediations plan p-1 io.fleetdoctor.remediation.v1 c-1 null"
                            + " {\"state\":\"APPROVED\"} 0 f f null",
                    "slack plan p-1 awaiting_approval null null {\"text\":\"a\"} 1 t f null",
                    "slack plan p-1 approved null null {\"text\":\"b\"} 4 f f HTTP 503",
                    "slack slack-interaction p-1 interaction_reply null https://hooks.slack.com/actions/1"
                            + " {\"text\":\"c\"} 1 f t HTTP 400"), rows);
            String remediation = EventType.REMEDIATION.id();
            assertEquals(List.of(
                    OutboxEvent.of(Topics.REMEDIATIONS, "plan", "p-1", remediation, "p-1:NEW:PENDING_APPROVAL", "{}").id(),
                    OutboxEvent.of(Topics.REMEDIATIONS, "plan", "p-1", remediation, "p-1:PENDING_APPROVAL:APPROVED",
                            "{}").id(),
                    OutboxEvent.of(SlackOutboxSender.DESTINATION, "plan", "p-1", "k", "p-1|null>PENDING_APPROVAL", "{}").id(),
                    OutboxEvent.of(SlackOutboxSender.DESTINATION, "plan", "p-1", "k", "p-1|PENDING_APPROVAL>APPROVED",
                            "{}").id(),
                    OutboxEvent.of(SlackOutboxSender.DESTINATION, "slack-interaction", "p-1", "k", "reply|r-1", "{}")
                            .id()), ids, "the ids Outbox.emit would give them");
        } finally {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("drop schema " + schema + " cascade");
            }
        }
    }
}
