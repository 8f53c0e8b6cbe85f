package io.fleetdoctor.remediator.notify;

/**
 * One Slack message ready for the outbox.
 *
 * @param kind short name of the message type, e.g. {@code awaiting_approval}, {@code succeeded}
 * @param json the body of the incoming-webhook call ({@code text} fallback plus Block Kit {@code blocks})
 */
public record SlackMessage(String kind, String json) {
}
