package io.fleetdoctor.outbox;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Runs a database write for a consumer that must not acknowledge a record before its change is stored. While
 * the database is away it waits and tries again, for as long as the outage lasts (the consumer thread stops,
 * Kafka keeps the records, {@link #outageSince()} feeds the service's readiness check). A change the database
 * refuses while it answers (a bug, a constraint) is given up after {@code refusals} tries: {@link Refused} is
 * thrown and the caller counts and logs it.
 */
public final class StoreWait {
    private static final Logger LOG = Logger.getLogger(StoreWait.class);

    private final DataSource dataSource;
    private final int refusals;
    private Instant outageSince;

    public StoreWait(DataSource dataSource, int refusals) {
        this.dataSource = dataSource;
        this.refusals = refusals;
    }

    /** The database answered but refused the change {@code refusals} times; the last error is the cause. */
    public static final class Refused extends RuntimeException {
        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public <T> T call(String what, Supplier<T> write) {
        long backoff = 200;
        int refused = 0;
        while (true) {
            try {
                T result = write.get();
                endOutage();
                return result;
            } catch (RuntimeException e) {
                if (databaseAnswers()) {
                    endOutage();
                    if (++refused >= refusals) {
                        throw new Refused(what + ": the database refused it " + refused + " times while answering", e);
                    }
                    LOG.warnf("%s was refused (try %d): %s", what, refused, e.toString());
                } else if (startOutage()) {
                    LOG.errorf("database unavailable: consumption paused, readiness DOWN, %s waits (%s)", what, e.toString());
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                // shutting down: the record is not acknowledged and comes again
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopped before " + what + " was stored", ie);
            }
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    private boolean databaseAnswers() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private synchronized boolean startOutage() {
        if (outageSince != null) {
            return false;
        }
        outageSince = Instant.now();
        return true;
    }

    private synchronized void endOutage() {
        if (outageSince != null) {
            LOG.infof("database back after %s: consumption resumes", Duration.between(outageSince, Instant.now()));
            outageSince = null;
        }
    }

    /** Since when a change waits for the database; null when none does. */
    public synchronized Instant outageSince() {
        return outageSince;
    }
}
