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

    /**
     * Slack bot token (xoxb-…, a secret). When set, messages go through chat.postMessage: to the cluster's channel
     * from the registry (fleetdoctor.clusters."id".slack-channel) or {@link #defaultChannel()}, one thread per
     * incident. Without it the incoming webhook posts everything to its own channel.
     */
    Optional<String> botToken();

    /** The channel for clusters without a slack-channel in the registry (bot token mode). */
    Optional<String> defaultChannel();

    /** The admins' channel (storm guard, fleet-wide silences); unset = {@link #defaultChannel()}. */
    Optional<String> adminChannel();

    /** Slack user ids (U…) mentioned in admin notices. */
    Optional<java.util.List<String>> admins();

    /** Slack Web API base URL (tests point it at a local server). */
    @WithDefault("https://slack.com/api")
    String apiUrl();

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
