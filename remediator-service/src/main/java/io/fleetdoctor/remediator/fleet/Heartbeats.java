package io.fleetdoctor.remediator.fleet;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Heartbeat;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heartbeats of collectors and node agents (every 30 s each), kept as the latest per source in memory and
 * written in one batch every few seconds: a fleet of 50,000 node agents sends ~1,700 heartbeats a second, which
 * must not become as many transactions. A batch lost to a crash costs only liveness information, which the
 * next heartbeat (30 s later) restores; this is the one thing the signal consumer acknowledges unstored.
 */
@ApplicationScoped
public class Heartbeats {
    private static final Logger LOG = Logger.getLogger(Heartbeats.class);

    /** At most this many sources wait for a flush; more are dropped (and counted in the log) until it runs. */
    static final int MAX_PENDING = 200_000;

    record Source(String cluster, String component, String node) {
    }

    record Beat(Instant eventTime, Instant receivedAt) {
    }

    private final Map<Source, Beat> pending = new ConcurrentHashMap<>();
    private long dropped;

    @Inject
    EntityManager em;

    public void seen(CloudEvent<?> event, Heartbeat h, Instant receivedAt) {
        Source s = new Source(event.cluster(), h.component(), h.node() == null ? "" : h.node());
        if (pending.size() >= MAX_PENDING && !pending.containsKey(s)) {
            dropped++;
            return;
        }
        pending.merge(s, new Beat(event.time(), receivedAt),
                (a, b) -> b.eventTime().isAfter(a.eventTime()) ? b : a);
    }

    @Scheduled(every = "${fleetdoctor.remediator.fleet.heartbeat-flush:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<Source, Beat> batch = Map.copyOf(pending);
        try {
            write(batch);
            batch.forEach(pending::remove); // removes only entries not replaced by a newer beat meanwhile
        } catch (RuntimeException e) {
            LOG.debugf("heartbeats not written (%s); the next flush retries", e.toString());
        }
        if (dropped > 0) {
            LOG.warnf("%d heartbeats dropped: more than %d sources waited for one flush", dropped, MAX_PENDING);
            dropped = 0;
        }
    }

    @Transactional
    void write(Map<Source, Beat> batch) {
        for (Map.Entry<Source, Beat> e : batch.entrySet()) {
            em.createNativeQuery("""
                    INSERT INTO remediator.collector_heartbeat (cluster, component, node, last_event_time, last_received_at)
                    VALUES (?1, ?2, ?3, ?4, ?5)
                    ON CONFLICT (cluster, component, node) DO UPDATE
                    SET last_event_time = GREATEST(remediator.collector_heartbeat.last_event_time, EXCLUDED.last_event_time),
                        last_received_at = GREATEST(remediator.collector_heartbeat.last_received_at, EXCLUDED.last_received_at)
                    """)
                    .setParameter(1, e.getKey().cluster())
                    .setParameter(2, e.getKey().component())
                    .setParameter(3, e.getKey().node())
                    .setParameter(4, Timestamp.from(e.getValue().eventTime()))
                    .setParameter(5, Timestamp.from(e.getValue().receivedAt()))
                    .executeUpdate();
        }
    }
}
