package io.fleetdoctor.outbox;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The delivery rules of one lane, against a store that records what the lane does to the rows. */
class OutboxLaneTest {
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(10, Duration.ofMinutes(1),
            new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30)), Duration.ofMinutes(5),
            Duration.ofSeconds(10), "test.outbox");

    /** Hands out prepared batches and logs every update as "what id [delay]". */
    static final class RecordingStore extends OutboxStore {
        final Deque<List<OutboxMessage>> batches = new ArrayDeque<>();
        final List<String> log = new ArrayList<>();

        @Override
        public List<OutboxMessage> claimDue(String destination, int limit, Duration lease) {
            return batches.isEmpty() ? List.of() : batches.poll();
        }

        @Override
        public void markDelivered(UUID id) {
            log.add("delivered " + name(id));
        }

        @Override
        public void reschedule(UUID id, Duration delay, String error) {
            log.add("retry " + name(id) + " " + delay);
        }

        @Override
        public void release(UUID id, Duration delay) {
            log.add("release " + name(id) + " " + delay);
        }

        @Override
        public void markDead(UUID id, String error) {
            log.add("dead " + name(id));
        }

        @Override
        public Backlog backlog(String destination) {
            return new Backlog(0, 0);
        }
    }

    private static final List<String> NAMES = List.of("a", "b", "c");

    private static UUID id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes());
    }

    private static String name(UUID id) {
        return NAMES.stream().filter(n -> id(n).equals(id)).findFirst().orElseThrow();
    }

    private static OutboxMessage message(String name, int attempts) {
        return new OutboxMessage(id(name), NAMES.indexOf(name), "topic", "plan", "plan-" + name, "event", "key",
                null, "{}", attempts);
    }

    private static OutboxSender sender(Function<OutboxMessage, DeliveryResult> answer) {
        return new OutboxSender() {
            @Override
            public String destination() {
                return "topic";
            }

            @Override
            public DeliveryResult send(OutboxMessage m) {
                return answer.apply(m);
            }
        };
    }

    private final RecordingStore store = new RecordingStore();
    private final AtomicBoolean open = new AtomicBoolean(true);

    private OutboxLane lane(Function<OutboxMessage, DeliveryResult> answer, DeliveryPolicy policy) {
        return new OutboxLane(sender(answer), policy, store, new SimpleMeterRegistry(), open::get);
    }

    @Test
    void onlyAnAcknowledgedMessageIsDelivered() {
        store.batches.add(List.of(message("a", 1), message("b", 1)));
        OutboxLane lane = lane(m -> DeliveryResult.delivered(0), POLICY);
        assertEquals(2, lane.dispatchDue());
        assertEquals(List.of("delivered a", "delivered b"), store.log);
    }

    @Test
    void aFailureBacksOffHandsTheRestBackAndPausesTheLane() {
        store.batches.add(List.of(message("a", 3), message("b", 1), message("c", 1)));
        store.batches.add(List.of(message("b", 1)));
        OutboxLane lane = lane(m -> m.id().equals(id("a")) ? DeliveryResult.retry(0, null, "broker down")
                : DeliveryResult.delivered(0), POLICY);
        assertEquals(0, lane.dispatchDue());
        // third attempt: 1 s × 2² = 4 s; the others wait as long, uncounted
        assertEquals(List.of("retry a PT4S", "release b PT4S", "release c PT4S"), store.log);
        assertEquals(0, lane.dispatchDue(), "paused: nothing claimed");
        assertEquals(1, store.batches.size());
    }

    @Test
    void aDelayTheDestinationAsksForIsHonouredUpToTheCap() {
        store.batches.add(List.of(message("a", 1)));
        lane(m -> DeliveryResult.retry(429, Duration.ofHours(2), "rate limited"), POLICY).dispatchDue();
        assertEquals(List.of("retry a PT5M"), store.log);
    }

    @Test
    void aRejectedMessageIsKeptDeadAndTheOthersGoOn() {
        store.batches.add(List.of(message("a", 1), message("b", 1)));
        OutboxLane lane = lane(m -> m.id().equals(id("a")) ? DeliveryResult.rejected(400, "invalid_payload")
                : DeliveryResult.delivered(200), POLICY);
        assertEquals(1, lane.dispatchDue());
        assertEquals(List.of("dead a", "delivered b"), store.log);
    }

    @Test
    void aSenderThatThrowsCountsAsARetryableFailure() {
        store.batches.add(List.of(message("a", 1)));
        lane(m -> {
            throw new IllegalStateException("no subscriber");
        }, POLICY).dispatchDue();
        assertEquals(List.of("retry a PT1S"), store.log);
    }

    @Test
    void nothingIsSentOnceTheLeaseCannotCoverASend() {
        DeliveryPolicy slow = new DeliveryPolicy(10, Duration.ofMillis(300),
                new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30)), Duration.ofMinutes(5),
                Duration.ofMillis(200), "test.slow");
        store.batches.add(List.of(message("a", 1), message("b", 1)));
        OutboxLane lane = lane(m -> {
            try {
                Thread.sleep(150); // a slow destination
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DeliveryResult.delivered(200);
        }, slow);
        assertEquals(1, lane.dispatchDue());
        assertEquals(List.of("delivered a", "release b PT0S"), store.log);
    }

    @Test
    void aStoppingApplicationHandsClaimedMessagesBackUnsent() {
        store.batches.add(List.of(message("a", 1)));
        open.set(false);
        assertEquals(0, lane(m -> DeliveryResult.delivered(0), POLICY).dispatchDue());
        assertEquals(List.of("release a PT0S"), store.log);
    }
}
