package io.fleetdoctor.outbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {
    @Test
    void doublesUpToTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(2), 2, Duration.ofMinutes(5));
        long[][] cases = {{0, 2}, {1, 2}, {2, 4}, {3, 8}, {7, 128}, {8, 256}, {9, 300}, {1000, 300}};
        for (long[] c : cases) {
            assertEquals(Duration.ofSeconds(c[1]), b.delayAfter((int) c[0]), "after " + c[0]);
        }
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, 2, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)));
    }
}
