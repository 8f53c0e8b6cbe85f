package io.fleetdoctor.remediator.plan;

import io.fleetdoctor.playbook.fix.Ownership;

import java.time.Instant;
import java.util.List;

/**
 * A plan changed state. Fired as a synchronous CDI event inside the transaction that persists the
 * transition, so observers (audit, notification outbox) commit or roll back with it.
 *
 * @param channel where the change came from: {@code rest}, {@code web}, {@code slack} or {@code system}
 * @param link    URL of the plan's page for people, or null
 * @param planHash the plan hash an approval must carry (Slack buttons carry it), or null
 * @param owner   who manages the DaemonSets and the change proposed at that source, or null
 */
public record PlanTransition(String planId, String incidentId, String cluster, PlanState from, PlanState to,
                             String actor, String channel, String reason, Instant at, String summary,
                             String diff, List<String> evidenceHighlights, String link, String planHash,
                             Ownership owner) {

    /** A transition without plan hash and owner. */
    public PlanTransition(String planId, String incidentId, String cluster, PlanState from, PlanState to,
                          String actor, String channel, String reason, Instant at, String summary,
                          String diff, List<String> evidenceHighlights, String link) {
        this(planId, incidentId, cluster, from, to, actor, channel, reason, at, summary, diff, evidenceHighlights,
                link, null, null);
    }
}
