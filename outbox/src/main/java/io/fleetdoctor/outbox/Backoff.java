package io.fleetdoctor.outbox;

import java.time.Duration;

/** Exponential backoff: initial × multiplier^(attempt-1), capped at max. Pure. */
public final class Backoff {
    private final Duration initial;
    private final double multiplier;
    private final Duration max;

    public Backoff(Duration initial, double multiplier, Duration max) {
        if (initial.isNegative() || initial.isZero() || multiplier < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs initial > 0, multiplier >= 1, max >= initial");
        }
        this.initial = initial;
        this.multiplier = multiplier;
        this.max = max;
    }

    /** Delay before the next try after {@code attempts} failed attempts (1 = the first failure). */
    public Duration delayAfter(int attempts) {
        int n = Math.max(1, attempts);
        double millis = initial.toMillis() * Math.pow(multiplier, Math.min(n - 1, 62));
        if (Double.isInfinite(millis) || millis >= max.toMillis()) {
            return max;
        }
        return Duration.ofMillis((long) millis);
    }
}
