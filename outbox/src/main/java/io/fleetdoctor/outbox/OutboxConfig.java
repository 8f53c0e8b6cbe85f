package io.fleetdoctor.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The outbox of this service ({@code fleetdoctor.outbox.*}). */
@ConfigMapping(prefix = "fleetdoctor.outbox")
public interface OutboxConfig {

    /** The table, schema-qualified, e.g. {@code analyzer.outbox}; the service's Flyway migration creates it. */
    String table();

    /** How often the relay looks for due messages; it also runs right after each commit that emitted one. */
    @WithDefault("1s")
    String pollInterval();

    /** Delivered messages older than this are deleted (hourly). Unset: kept. */
    Optional<Duration> retention();

    /** Messages claimed per round. */
    @WithDefault("100")
    int batchSize();

    @WithDefault("1m")
    Duration lease();

    /** How long a Kafka send waits for the broker's acknowledgement. */
    @WithDefault("10s")
    Duration sendTimeout();

    @WithDefault("1h")
    Duration maxRetryAfter();

    BackoffConfig backoff();

    interface BackoffConfig {
        @WithDefault("1s")
        Duration initial();

        @WithDefault("2")
        double multiplier();

        @WithDefault("1m")
        Duration max();
    }
}
