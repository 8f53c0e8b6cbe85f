package io.fleetdoctor.remediator.plan;

import java.time.Instant;
import java.util.List;

/**
 * A plan changed state. Fired as a synchronous CDI event inside the transaction that persists the
 * transition, so observers (audit, notification outbox) commit or roll back with it.
 *
 * @param channel where the change came from: {@code rest}, {@code web}, {@code slack} or {@code system}
 * @param link    URL of the plan's page for people, or null
 */
public record PlanTransition(String planId, String incidentId, String cluster, PlanState from, PlanState to,
                             String actor, String channel, String reason, Instant at, String summary,
                             String diff, List<String> evidenceHighlights, String link) {
}
