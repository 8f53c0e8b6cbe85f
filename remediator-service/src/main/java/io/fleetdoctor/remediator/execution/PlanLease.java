package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * One executor per plan across remediator instances: the lease columns of {@code plan} (V104). An instance works on
 * an EXECUTING or VERIFYING plan only while it holds the plan's lease; it takes the lease with a conditional UPDATE
 * (free, already its own, or expired) and renews it every scheduler tick. An expired lease of another instance is
 * taken over (log line, counter {@code fleetdoctor_remediator_lease_takeovers_total}, audit {@code lease-takeover});
 * the new holder resumes the plan from its persisted state. Times are the database's, so instances' clocks do not
 * matter. Every transition out of EXECUTING or VERIFYING checks the lease under the row lock ({@link #checkHeld}).
 */
@ApplicationScoped
public class PlanLease {
    private static final Logger LOG = Logger.getLogger(PlanLease.class);
    private static final String ACTIVE = "('EXECUTING', 'VERIFYING')";

    @Inject
    EntityManager em;
    @Inject
    AuditLog audit;
    @Inject
    MeterRegistry registry;
    @Inject
    RemediatorConfig config;

    private String instanceId;

    /** Another instance holds the plan's lease: this one must not change the plan or the cluster for it. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(String planId, String owner) {
            super("the lease of plan " + planId + " is held by " + owner);
        }
    }

    @PostConstruct
    void init() {
        instanceId = config.instanceId().filter(s -> !s.isBlank()).orElseGet(PlanLease::defaultInstanceId);
        LOG.infof("plan leases: instance id %s, lease %s", instanceId, config.execution().lease());
    }

    /** hostname-xxxxxxxx: pods of a Deployment have distinct hostnames; the suffix tells restarts apart. */
    static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "remediator";
            }
        }
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String id = host.toLowerCase(Locale.ROOT) + "-" + HexFormat.of().formatHex(random);
        return id.length() > 200 ? id.substring(id.length() - 200) : id;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Takes the lease for this instance in a transaction of its own; true when this instance now holds it. */
    public boolean tryAcquire(String planId) {
        return QuarkusTransaction.requiringNew().call(() -> acquire(planId, instanceId, config.execution().lease()));
    }

    /** As {@link #tryAcquire}, inside the caller's transaction (the scheduler's start of a plan). */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean acquire(String planId) {
        return acquire(planId, instanceId, config.execution().lease());
    }

    /**
     * The conditional take: only an EXECUTING or VERIFYING plan whose lease is free, the owner's own, or expired.
     * The row lock of the first read makes a race of two instances end with exactly one holder.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    boolean acquire(String planId, String owner, Duration duration) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT lease_owner, CAST(lease_until AS VARCHAR), state, cluster,"
                        + " lease_until < now() FROM {h-schema}plan WHERE id = :id FOR UPDATE")
                .setParameter("id", planId).getResultList();
        if (rows.isEmpty()) {
            return false;
        }
        Object[] row = rows.get(0);
        String previous = (String) row[0];
        int updated = em.createNativeQuery("UPDATE {h-schema}plan SET lease_owner = :owner,"
                        + " lease_until = now() + :ms * INTERVAL '1 millisecond'"
                        + " WHERE id = :id AND state IN " + ACTIVE
                        + " AND (lease_owner IS NULL OR lease_owner = :owner OR lease_until < now())")
                .setParameter("owner", owner).setParameter("ms", duration.toMillis()).setParameter("id", planId)
                .executeUpdate();
        if (updated == 1 && previous != null && !previous.equals(owner)) {
            String detail = "lease of " + previous + " expired at " + row[1] + "; taken over by " + owner + " in state "
                    + row[2] + ", resuming from the persisted state";
            LOG.warnf("plan %s on %s: %s", planId, row[3], detail);
            registry.counter("fleetdoctor.remediator.lease.takeovers").increment();
            audit.record(PlanExecutor.SYSTEM, PlanExecutor.SYSTEM, "lease-takeover", planId, (String) row[3], detail);
        }
        return updated == 1;
    }

    /** Extends every lease this instance holds on a plan still executing or verifying; returns how many. */
    public int renewAll() {
        return QuarkusTransaction.requiringNew().call(() -> renew(instanceId, config.execution().lease()));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    int renew(String owner, Duration duration) {
        return em.createNativeQuery("UPDATE {h-schema}plan SET lease_until = now() + :ms * INTERVAL '1 millisecond'"
                        + " WHERE lease_owner = :owner AND state IN " + ACTIVE)
                .setParameter("owner", owner).setParameter("ms", duration.toMillis()).executeUpdate();
    }

    /** Whether this instance still holds the plan's lease (no other instance took it over). */
    public boolean holds(String planId) {
        return instanceId.equals(owner(planId));
    }

    /** The plan's lease holder, or null. */
    public String owner(String planId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> r = em.createNativeQuery("SELECT lease_owner FROM {h-schema}plan WHERE id = :id").setParameter("id", planId)
                    .getResultList();
            return r.isEmpty() ? null : (String) r.get(0);
        });
    }

    /**
     * Locks the plan's row and throws {@link LeaseLost} unless this instance holds the lease: called in the
     * transaction of every transition out of EXECUTING or VERIFYING, so a take-over and a transition never both win.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void checkHeld(String planId) {
        List<?> r = em.createNativeQuery("SELECT lease_owner FROM {h-schema}plan WHERE id = :id FOR UPDATE")
                .setParameter("id", planId).getResultList();
        String owner = r.isEmpty() ? null : (String) r.get(0);
        if (!instanceId.equals(owner)) {
            throw new LeaseLost(planId, owner);
        }
    }
}
