package io.fleetdoctor.remediator.notify;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code remediator.notify_outbox} table, in plain JDBC: the claim needs
 * {@code FOR UPDATE SKIP LOCKED}, and the insert must join the caller's JTA transaction (Agroal
 * enlists a connection taken inside one). All times come from the database clock so several
 * instances agree.
 */
@ApplicationScoped
public class OutboxRepository {

    /** A row claimed for sending. */
    public record Claimed(long id, String planId, String kind, String payload, String targetUrl, int attempts) {
    }

    @Inject
    AgroalDataSource dataSource;

    /**
     * Inserts a message inside the caller's transaction; a second insert for the same transition
     * (same event key) is ignored. Returns whether a row was inserted.
     */
    public boolean insert(String eventKey, String planId, String cluster, String kind, String payload) {
        return insert(eventKey, planId, cluster, kind, payload, null);
    }

    /** As {@link #insert(String, String, String, String, String)}, POSTed to {@code targetUrl} instead of the webhook. */
    public boolean insert(String eventKey, String planId, String cluster, String kind, String payload,
                          String targetUrl) {
        String sql = "INSERT INTO remediator.notify_outbox (event_key, plan_id, cluster, kind, payload, target_url) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, eventKey);
            ps.setString(2, planId);
            ps.setString(3, cluster);
            ps.setString(4, kind);
            ps.setString(5, payload);
            ps.setString(6, targetUrl);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the notification outbox", e);
        }
    }

    /**
     * Claims up to {@code limit} due messages for {@code lease} and counts the attempt. A message is
     * due when it is neither delivered nor dead, its next attempt time has come, no live lease holds
     * it, and no older message of the same plan is still undelivered (so a plan's messages arrive in
     * order). Rows another instance is claiming right now are skipped, not waited for.
     */
    public List<Claimed> claimDue(int limit, Duration lease) {
        String sql = "UPDATE remediator.notify_outbox o SET claimed_until = now() + ? * interval '1 millisecond', "
                + "attempts = o.attempts + 1 "
                + "WHERE o.id IN (SELECT d.id FROM remediator.notify_outbox d "
                + "  WHERE d.delivered_at IS NULL AND d.dead_at IS NULL AND d.next_attempt_at <= now() "
                + "  AND (d.claimed_until IS NULL OR d.claimed_until < now()) "
                + "  AND NOT EXISTS (SELECT 1 FROM remediator.notify_outbox e WHERE e.plan_id = d.plan_id "
                + "    AND e.delivered_at IS NULL AND e.dead_at IS NULL AND e.id < d.id) "
                + "  ORDER BY d.id LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "RETURNING o.id, o.plan_id, o.kind, o.payload, o.target_url, o.attempts";
        return inOwnTransaction(c -> {
            List<Claimed> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, lease.toMillis());
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getInt(6)));
                    }
                }
            }
            out.sort((a, b) -> Long.compare(a.id(), b.id()));
            return out;
        });
    }

    public void markDelivered(long id) {
        update("UPDATE remediator.notify_outbox SET delivered_at = now(), claimed_until = NULL, last_error = NULL "
                + "WHERE id = ?", id, null, null);
    }

    /** Schedules the next attempt after {@code delay}, releasing the claim. */
    public void reschedule(long id, Duration delay, String error) {
        update("UPDATE remediator.notify_outbox SET next_attempt_at = now() + ? * interval '1 millisecond', "
                + "claimed_until = NULL, last_error = ? WHERE id = ?", id, delay.toMillis(), error);
    }

    /** Releases a claim without counting the attempt (it was never made). */
    public void release(long id, Duration delay) {
        update("UPDATE remediator.notify_outbox SET next_attempt_at = now() + ? * interval '1 millisecond', "
                + "claimed_until = NULL, attempts = attempts - 1 WHERE id = ?", id, delay.toMillis(), null);
    }

    /** Slack refused the payload itself: keep the row for inspection, stop sending it. */
    public void markDead(long id, String error) {
        update("UPDATE remediator.notify_outbox SET dead_at = now(), claimed_until = NULL, last_error = ? "
                + "WHERE id = ?", id, null, error);
    }

    /** Messages neither delivered nor dead, and the age in seconds of the oldest of them (0 when none). */
    public record Backlog(long pending, double oldestAgeSeconds) {
    }

    public Backlog backlog() {
        return inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*), "
                    + "coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM remediator.notify_outbox "
                    + "WHERE delivered_at IS NULL AND dead_at IS NULL"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Backlog(rs.getLong(1), rs.getDouble(2));
            }
        });
    }

    /** Deletes delivered messages older than {@code retention}; returns how many. */
    public int purgeDelivered(Duration retention) {
        return inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM remediator.notify_outbox "
                    + "WHERE delivered_at < now() - ? * interval '1 millisecond'")) {
                ps.setLong(1, retention.toMillis());
                return ps.executeUpdate();
            }
        });
    }

    private void update(String sql, long id, Long millis, String text) {
        inOwnTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (millis != null) {
                    ps.setLong(i++, millis);
                }
                if (sql.contains("last_error = ?")) {
                    ps.setString(i++, text);
                }
                ps.setLong(i, id);
                return ps.executeUpdate();
            }
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** The dispatcher runs outside any JTA transaction; each step commits on its own. */
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
            throw new IllegalStateException("notification outbox: " + e.getMessage(), e);
        }
    }
}
