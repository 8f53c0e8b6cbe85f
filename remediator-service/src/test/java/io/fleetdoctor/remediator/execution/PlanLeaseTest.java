package io.fleetdoctor.remediator.execution;

import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.remediator.audit.AuditEntry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan lease on the real PostgreSQL: instances racing for one plan (one wins), an expired lease taken over
 * (audited, counted, the old holder can neither renew nor transition). The scheduler is off here, so the only
 * contenders are the ones the test names.
 */
@QuarkusTest
@TestProfile(PlanLeaseTest.NoScheduler.class)
@QuarkusTestResource(InfraTestResource.class)
class PlanLeaseTest {
    static final String ME = "lease-test-instance";

    public static class NoScheduler implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false", "fleetdoctor.remediator.instance-id", ME);
        }
    }

    @Inject
    PlanLease lease;
    @Inject
    EntityManager em;
    @Inject
    MeterRegistry registry;

    /** A minimal plan row in {@code state}, its lease free. */
    String plan(String state) {
        String id = UUID.randomUUID().toString();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("INSERT INTO {h-schema}plan (id, incident_id, cluster,"
                        + " cluster_class, rule, state, evidence_json, recommendation_json, changes_json, checks_json, diff,"
                        + " diff_hash, needs_override, approvals_required, created_at, updated_at, expires_at, plan_hash)"
                        + " VALUES (:id, :inc, 'lease-c', 'default', 'flannel-iface', :state, '[]', '{}', '[]', '[]', '', 'h',"
                        + " FALSE, 1, now(), now(), now() + INTERVAL '1 hour', 'h')")
                .setParameter("id", id).setParameter("inc", "inc-" + id).setParameter("state", state).executeUpdate());
        return id;
    }

    boolean acquire(String id, String owner, Duration d) {
        return QuarkusTransaction.requiringNew().call(() -> lease.acquire(id, owner, d));
    }

    @Test
    void twoInstancesRacingForOnePlanOneWins() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = plan("EXECUTING");
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Boolean>> won = new ArrayList<>();
            for (String owner : List.of("instance-a", "instance-b")) {
                Callable<Boolean> race = () -> {
                    start.await();
                    return acquire(id, owner, Duration.ofMinutes(1));
                };
                won.add(pool.submit(race));
            }
            boolean a = won.get(0).get();
            boolean b = won.get(1).get();
            pool.shutdown();
            assertTrue(a ^ b, "exactly one of the two takes the lease (a=" + a + ", b=" + b + ")");
            String winner = a ? "instance-a" : "instance-b";
            String loser = a ? "instance-b" : "instance-a";
            assertEquals(winner, lease.owner(id));
            assertFalse(acquire(id, loser, Duration.ofMinutes(1)), "an unexpired lease stays with its holder");
            assertTrue(acquire(id, winner, Duration.ofMinutes(1)), "the holder takes its own lease again (renewal)");
            assertEquals(List.of(), audit(id), "no take-over: the lease was free");
        }
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldHolderLosesIt() {
        String id = plan("VERIFYING");
        double before = registry.counter("fleetdoctor.remediator.lease.takeovers").count();
        assertTrue(acquire(id, "dead-instance", Duration.ofMillis(1500)));
        assertFalse(lease.tryAcquire(id), "not before it expires");
        assertThrows(PlanLease.LeaseLost.class, () -> QuarkusTransaction.requiringNew().run(() -> lease.checkHeld(id)));
        await().atMost(Duration.ofSeconds(20)).until(() -> lease.tryAcquire(id));
        assertEquals(ME, lease.owner(id));
        assertTrue(lease.holds(id));
        QuarkusTransaction.requiringNew().run(() -> lease.checkHeld(id));
        List<String> takeovers = audit(id);
        assertEquals(1, takeovers.size(), takeovers.toString());
        assertTrue(takeovers.get(0).startsWith("lease of dead-instance expired at "), takeovers.get(0));
        assertTrue(takeovers.get(0).contains("taken over by " + ME + " in state VERIFYING"), takeovers.get(0));
        assertEquals(before + 1, registry.counter("fleetdoctor.remediator.lease.takeovers").count());
        assertEquals(0, (int) QuarkusTransaction.requiringNew().call(() -> lease.renew("dead-instance", Duration.ofMinutes(1))),
                "the old holder renews nothing");
        assertFalse(acquire(id, "dead-instance", Duration.ofMinutes(1)), "nor takes it back while it is held");
        assertTrue(lease.renewAll() >= 1);
        assertTrue(lease.tryAcquire(id), "renewal by the holder: no second take-over");
        assertEquals(1, audit(id).size());
    }

    @Test
    void onlyExecutingAndVerifyingPlansHaveALease() {
        for (String state : List.of("APPROVED", "SUCCEEDED", "ROLLED_BACK")) {
            String id = plan(state);
            assertFalse(acquire(id, ME, Duration.ofMinutes(1)), state);
            assertEquals(null, lease.owner(id), state);
        }
        assertFalse(acquire("no-such-plan", ME, Duration.ofMinutes(1)));
    }

    List<String> audit(String id) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEntry.<AuditEntry>list(
                "planId = ?1 and action = 'lease-takeover' order by id", id).stream().map(a -> a.detail).toList());
    }
}
