package io.fleetdoctor.remediator.slack;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Interactive approval from Slack ({@code fleetdoctor.slack.*}); see NOTIFICATIONS.md. */
@ConfigMapping(prefix = "fleetdoctor.slack")
public interface SlackConfig {

    /** The Slack app's signing secret (from the environment). Unset: every interaction is refused. */
    Optional<String> signingSecret();

    /** How far X-Slack-Request-Timestamp may be from now (replay protection). */
    @WithDefault("5m")
    Duration timestampTolerance();

    /** Replies are posted only to response_url values with this prefix (defence in depth). */
    @WithDefault("https://hooks.slack.com/")
    String responseUrlPrefix();

    /** Slack user id (e.g. {@code U0123ABCD}) to the approver it acts as. */
    Map<String, User> users();

    interface User {
        /** Approver name, as used for audit and for counting distinct approvals. */
        String name();

        /** Roles: {@code viewer}, {@code approver}, {@code admin}. */
        @WithDefault("approver")
        List<String> roles();
    }
}
