package io.fleetdoctor.remediator.guard;

/**
 * A person's Slack user id from their fleetdoctor user name, for a mention; null when unknown. Implemented next to
 * the Slack configuration ({@code slack.ConfiguredSlackUserIds}): the guard package must not depend on the slack
 * package, which depends on approvals (PackageCyclesTest).
 */
public interface SlackUserIds {
    String of(String name);
}
