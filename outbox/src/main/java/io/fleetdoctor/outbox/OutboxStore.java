package io.fleetdoctor.outbox;

import io.agroal.api.AgroalDataSource;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The outbox table in plain JDBC: the claim needs {@code FOR UPDATE SKIP LOCKED} and
 * {@code UPDATE … RETURNING}, and the insert must join the caller's JTA transaction (Agroal enlists
 * a connection taken inside one, the same one Hibernate uses). All times come from the database
 * clock, so several instances agree.
 */
@ApplicationScoped
public class OutboxStore {
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final String COLUMNS = "id, seq, destination, aggregate_type, aggregate_id, event_type, "
            + "message_key, target, payload, attempts";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    OutboxConfig config;

    private String table;

    @PostConstruct
    void init() {
        // spliced into SQL, so only a plain (schema.)name is accepted
        if (!TABLE.matcher(config.table()).matches()) {
            throw new IllegalStateException("fleetdoctor.outbox.table must be a plain table name, was "
                    + config.table());
        }
        table = config.table();
    }

    /**
     * Inserts inside the caller's transaction; the same event (same id) a second time is ignored.
     * Returns whether a row was inserted.
     */
    boolean insert(OutboxEvent e) {
        String sql = "INSERT INTO " + table + " (id, destination, aggregate_type, aggregate_id, event_type, "
                + "message_key, target, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, e.id());
            ps.setString(2, e.destination());
            ps.setString(3, e.aggregateType());
            ps.setString(4, e.aggregateId());
            ps.setString(5, e.eventType());
            ps.setString(6, e.key());
            ps.setString(7, e.target());
            ps.setString(8, e.payload());
            return ps.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot write the outbox", ex);
        }
    }

    /**
     * Claims up to {@code limit} due messages of a destination for {@code lease} and counts the
     * attempt. A message is due when it is neither delivered nor dead, its next attempt time has
     * come, no live lease holds it, and no older message of the same aggregate is still undelivered
     * (so an aggregate's messages arrive in order). Rows another instance is claiming right now are
     * skipped, not waited for.
     */
    public List<OutboxMessage> claimDue(String destination, int limit, Duration lease) {
        String sql = "UPDATE " + table + " o SET claimed_until = now() + ? * interval '1 millisecond', "
                + "attempts = o.attempts + 1 "
                + "WHERE o.id IN (SELECT d.id FROM " + table + " d "
                + "  WHERE d.destination = ? AND d.delivered_at IS NULL AND d.dead_at IS NULL "
                + "  AND d.next_attempt_at <= now() AND (d.claimed_until IS NULL OR d.claimed_until < now()) "
                + "  AND NOT EXISTS (SELECT 1 FROM " + table + " e WHERE e.destination = d.destination "
                + "    AND e.aggregate_type = d.aggregate_type AND e.aggregate_id = d.aggregate_id "
                + "    AND e.delivered_at IS NULL AND e.dead_at IS NULL AND e.seq < d.seq) "
                + "  ORDER BY d.seq LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "RETURNING " + prefixed("o", COLUMNS);
        return inOwnTransaction(c -> {
            List<OutboxMessage> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, lease.toMillis());
                ps.setString(2, destination);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OutboxMessage(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getString(8), rs.getString(9), rs.getInt(10)));
                    }
                }
            }
            out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            return out;
        });
    }

    public void markDelivered(UUID id) {
        update("UPDATE " + table + " SET delivered_at = now(), claimed_until = NULL, last_error = NULL WHERE id = ?",
                id, null, null);
    }

    /** Schedules the next attempt after {@code delay}, releasing the claim. */
    public void reschedule(UUID id, Duration delay, String error) {
        update("UPDATE " + table + " SET next_attempt_at = now() + ? * interval '1 millisecond', "
                + "claimed_until = NULL, last_error = ? WHERE id = ?", id, delay.toMillis(), error);
    }

    /** Releases a claim without counting the attempt (it was never made). */
    public void release(UUID id, Duration delay) {
        update("UPDATE " + table + " SET next_attempt_at = now() + ? * interval '1 millisecond', "
                + "claimed_until = NULL, attempts = attempts - 1 WHERE id = ?", id, delay.toMillis(), null);
    }

    /** The destination refused the payload itself: keep the row for inspection, stop sending it. */
    public void markDead(UUID id, String error) {
        update("UPDATE " + table + " SET dead_at = now(), claimed_until = NULL, last_error = ? WHERE id = ?",
                id, null, error);
    }

    /** Messages neither delivered nor dead, and the age in seconds of the oldest of them (0 when none). */
    public record Backlog(long pending, double oldestAgeSeconds) {
    }

    public Backlog backlog(String destination) {
        return inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*), "
                    + "coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM " + table
                    + " WHERE destination = ? AND delivered_at IS NULL AND dead_at IS NULL")) {
                ps.setString(1, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Backlog(rs.getLong(1), rs.getDouble(2));
                }
            }
        });
    }

    /** Deletes delivered messages older than {@code retention}; returns how many. */
    public int purgeDelivered(Duration retention) {
        return inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
                    + " WHERE delivered_at < now() - ? * interval '1 millisecond'")) {
                ps.setLong(1, retention.toMillis());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * When each of these messages was delivered; undelivered and unknown ids are absent. Joins the
     * caller's transaction when there is one.
     */
    public Map<UUID, Instant> deliveredAt(Collection<UUID> ids) {
        Map<UUID, Instant> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, delivered_at FROM " + table + " WHERE id = ANY (?) AND delivered_at IS NOT NULL")) {
            Array array = c.createArrayOf("uuid", ids.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp t = rs.getTimestamp(2);
                    out.put(rs.getObject(1, UUID.class), t.toInstant());
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the outbox", e);
        }
    }

    private static String prefixed(String alias, String columns) {
        return alias + "." + columns.replace(", ", ", " + alias + ".");
    }

    private void update(String sql, UUID id, Long millis, String text) {
        inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (millis != null) {
                    ps.setLong(i++, millis);
                }
                if (sql.contains("last_error = ?")) {
                    ps.setString(i++, text);
                }
                ps.setObject(i, id);
                return ps.executeUpdate();
            }
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** The relay runs outside any JTA transaction; each step commits on its own. */
    private <T> T inOwnTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("outbox: " + e.getMessage(), e);
        }
    }
}
