package io.fleetdoctor.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.fleetdoctor.local.LocalRun.human;

/** What {@code up} tells a person about plans: a reminder each minute a plan waits for approval, a line once it is fixed. */
final class ApprovalWait {
    private final Clock clock;
    private final int remediatorPort;
    private final Map<String, Instant> pendingSince = new HashMap<>();
    private final Map<String, Instant> reminded = new HashMap<>();

    ApprovalWait(Clock clock, int remediatorPort) {
        this.clock = clock;
        this.remediatorPort = remediatorPort;
    }

    /** Called on each poll with the plan's state: the reminder when it has waited another minute, else null. */
    String poll(String id, String state) {
        Instant since = pendingSince.get(id);
        Instant now = clock.instant();
        if (!"PENDING_APPROVAL".equals(state) || since == null
                || !now.isAfter(reminded.getOrDefault(id, since).plusSeconds(60))) {
            return null;
        }
        reminded.put(id, now);
        return "waiting for approval (" + human(Duration.between(since, now)) + "): open http://localhost:"
                + remediatorPort + "/ui/#/plan/" + id;
    }

    /** Called when the plan's state changed: the closing line when it SUCCEEDED, else null. */
    String changed(String id, String state) {
        Instant now = clock.instant();
        if ("PENDING_APPROVAL".equals(state)) {
            pendingSince.putIfAbsent(id, now);
        }
        if (!"SUCCEEDED".equals(state)) {
            return null;
        }
        Instant since = pendingSince.get(id);
        return "fixed: plan " + id + " verified" + (since == null ? "" : " " + human(Duration.between(since, now))
                + " after it was proposed") + "; fleetdoctor keeps watching (Ctrl-C stops everything)";
    }
}
