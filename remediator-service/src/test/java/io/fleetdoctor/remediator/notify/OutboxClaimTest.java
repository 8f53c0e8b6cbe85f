package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.outbox.OutboxMessage;
import io.fleetdoctor.outbox.OutboxStore;
import io.fleetdoctor.remediator.plan.PlanTransition;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several instances share one outbox: three threads act as other instances claiming with the same
 * SQL while this instance's dispatcher delivers. No message is claimed twice, and none that another
 * instance holds is sent by this one.
 */
@QuarkusTest
@TestProfile(NotifyTestProfile.class)
@QuarkusTestResource(InfraTestResource.class)
class OutboxClaimTest {

    @Inject
    TransitionFirer firer;

    @Inject
    OutboxStore outbox;

    @Test
    void concurrentInstancesNeverClaimTheSameMessage() throws Exception {
        String cluster = "notify-claim-" + UUID.randomUUID().toString().substring(0, 8);
        int n = 30;
        List<String> plans = IntStream.range(0, n).mapToObj(i -> String.format("plan-%s-p%02d", cluster, i)).toList();
        SlackWebhookServer slack = SlackWebhookServer.get();

        List<OutboxMessage> claimedByOthers = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService others = Executors.newFixedThreadPool(3);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            running.add(others.submit(() -> {
                while (!stop.get()) {
                    for (OutboxMessage c : outbox.claimDue(SlackOutboxSender.DESTINATION, 2, Duration.ofMinutes(5))) {
                        if (c.payload().contains(cluster)) {
                            claimedByOthers.add(c);
                        } else {
                            outbox.release(c.id(), Duration.ZERO); // another test's message: give it back
                        }
                    }
                }
                return null;
            }));
        }
        try {
            firer.fire(plans.stream().map(p -> Transitions.awaiting(p, cluster)).toArray(PlanTransition[]::new));
            await().atMost(Duration.ofSeconds(20)).until(() -> plans.stream()
                    .allMatch(p -> !slack.deliveredContaining(p).isEmpty()
                            || claimedByOthers.stream().anyMatch(c -> c.aggregateId().equals("inc-" + p))));
        } finally {
            stop.set(true);
            for (Future<?> f : running) {
                f.get(10, TimeUnit.SECONDS);
            }
            others.shutdown();
        }

        Set<UUID> ids = new HashSet<>();
        for (OutboxMessage c : claimedByOthers) {
            assertTrue(ids.add(c.id()), "message " + c.id() + " claimed twice");
        }
        assertFalse(claimedByOthers.isEmpty(), "the other instances took part");
        // what the others hold is not sent by this instance; everything else is sent exactly once
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> plans.stream().allMatch(p ->
                slack.containing(p).size() == (claimedByOthers.stream().anyMatch(c -> c.aggregateId().equals("inc-" + p)) ? 0 : 1)));
        assertEquals(n, claimedByOthers.size() + plans.stream().filter(p -> !slack.containing(p).isEmpty()).count());
        // the other instances "sent" theirs
        claimedByOthers.forEach(c -> outbox.markDelivered(c.id()));
    }
}
