package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.remediator.slack.RecordingApprovalGate;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;
import java.util.Set;

/**
 * Shared by the notify and slack tests (one application start for both): webhook pointed at the
 * real test HTTP server, a signing secret and Slack user mapping, and a recording ApprovalGate
 * enabled only here so the real gate stays in force for every other test of the module.
 */
public class NotifyTestProfile implements QuarkusTestProfile {
    public static final String SIGNING_SECRET = "test-signing-secret-8f742231b10e8888";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fleetdoctor.notify.webhook-url", SlackWebhookServer.get().url(),
                "fleetdoctor.slack.signing-secret", SIGNING_SECRET,
                "fleetdoctor.slack.response-url-prefix", SlackWebhookServer.get().base() + "/actions/",
                "fleetdoctor.slack.users.\"U0ALICE\".name", "alice",
                "fleetdoctor.slack.users.\"U0ALICE\".roles", "approver",
                "fleetdoctor.slack.users.\"U0VIEWER\".name", "victor",
                "fleetdoctor.slack.users.\"U0VIEWER\".roles", "viewer");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(RecordingApprovalGate.class);
    }

    @Override
    public String getConfigProfile() {
        return "test";
    }
}
