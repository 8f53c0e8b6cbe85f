package io.fleetdoctor.remediator.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Slack notification delivery ({@code fleetdoctor.notify.*}); the outbox relay polls and purges. See NOTIFICATIONS.md. */
@ConfigMapping(prefix = "fleetdoctor.notify")
public interface NotifyConfig {

    /** Slack incoming webhook URL (a secret: from the environment). Empty = log the messages locally. */
    Optional<String> webhookUrl();

    /** Messages claimed per round. */
    @WithDefault("20")
    int batchSize();

    Backoff backoff();

    /** Upper bound for a Retry-After the relay honours (protects against absurd values). */
    @WithDefault("1h")
    Duration maxRetryAfter();

    /** How long a claimed message stays reserved for the instance sending it. */
    @WithDefault("1m")
    Duration lease();

    /** Connect and request timeout of one webhook call. */
    @WithDefault("10s")
    Duration httpTimeout();

    /** Prefix of plan page URLs (plan id appended) when a transition carries no link. */
    Optional<String> planUrlBase();

    interface Backoff {
        @WithDefault("2s")
        Duration initial();

        @WithDefault("2")
        double multiplier();

        @WithDefault("5m")
        Duration max();
    }
}
