package io.fleetdoctor.remediator.guard;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.notify.PlanTransitionNotifier;
import io.fleetdoctor.remediator.notify.SlackMessage;
import io.fleetdoctor.remediator.notify.SlackMessages;
import io.fleetdoctor.remediator.notify.SlackRouting;
import io.fleetdoctor.remediator.plan.PlanJson;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import io.fleetdoctor.remediator.fleet.FleetStatus;
import org.jboss.logging.Logger;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Silences, as Alertmanager users know them: an approver silences a rule ({@code *} = every rule) on some clusters
 * or the fleet ({@code *}) for a duration, with a reason. A silenced decision is still recorded by the analyzer
 * and audited here, but makes no plan and no Slack message. The owner is told in Slack {@code notice-before} the
 * end; an approver can end a silence early. Everything is audited.
 */
@ApplicationScoped
public class Silences {
    private static final Logger LOG = Logger.getLogger(Silences.class);
    public static final String ALL = "*";

    public record Silence(String id, String rule, List<String> clusters, String reason, String createdBy,
                          Instant createdAt, Instant endsAt, String expiredBy, Instant expiredAt, boolean active) {
        boolean covers(String r, String cluster) {
            return (ALL.equals(rule) || rule.equals(r)) && (clusters.contains(ALL) || clusters.contains(cluster));
        }
    }

    @Inject
    EntityManager em;
    @Inject
    RemediatorConfig config;
    @Inject
    AuditLog audit;
    @Inject
    PlanTransitionNotifier notifier;
    @Inject
    SlackRouting routing;
    @Inject
    SlackUserIds slackUsers;

    /** The active silence covering this rule on this cluster, or null. In the caller's transaction. */
    public Silence covering(String rule, String cluster) {
        for (Silence s : list(true)) {
            if (s.covers(rule, cluster)) {
                return s;
            }
        }
        return null;
    }

    @Transactional
    public Silence create(String rule, List<String> clusters, Duration duration, String reason, String actor,
                          String channel) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        em.createNativeQuery("INSERT INTO remediator.silence (id, rule, clusters, reason, created_by, created_at, ends_at)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .setParameter(1, id).setParameter(2, rule).setParameter(3, PlanJson.write(clusters))
                .setParameter(4, reason).setParameter(5, actor).setParameter(6, Timestamp.from(now))
                .setParameter(7, Timestamp.from(now.plus(duration))).executeUpdate();
        audit.record(actor, channel, "silence:create", null, clusters.size() == 1 ? clusters.get(0) : null,
                "silence " + id + ": " + rule + " on " + clusters + " for " + duration + ": " + reason);
        return get(id);
    }

    /** Ends a silence now; false when unknown or already over. */
    @Transactional
    public boolean expire(String id, String actor, String channel) {
        Instant now = Instant.now();
        int n = em.createNativeQuery("UPDATE remediator.silence SET expired_by = ?2, expired_at = ?3"
                        + " WHERE id = ?1 AND expired_at IS NULL AND ends_at > ?3")
                .setParameter(1, id).setParameter(2, actor).setParameter(3, Timestamp.from(now)).executeUpdate();
        if (n == 1) {
            audit.record(actor, channel, "silence:expire", null, null, "silence " + id + " ended early");
        }
        return n == 1;
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Silence get(String id) {
        List<Object[]> rows = em.createNativeQuery(SELECT + " WHERE id = ?1").setParameter(1, id).getResultList();
        return rows.isEmpty() ? null : row(rows.get(0), Instant.now());
    }

    /** Active silences, or (all = false... ) every silence of the last 7 days, newest first. */
    @SuppressWarnings("unchecked")
    public List<Silence> list(boolean activeOnly) {
        Instant now = Instant.now();
        List<Object[]> rows = activeOnly
                ? em.createNativeQuery(SELECT + " WHERE expired_at IS NULL AND created_at <= ?1 AND ends_at > ?1"
                + " ORDER BY created_at").setParameter(1, Timestamp.from(now)).getResultList()
                : em.createNativeQuery(SELECT + " WHERE ends_at > ?1 ORDER BY created_at DESC LIMIT 200")
                .setParameter(1, Timestamp.from(now.minus(Duration.ofDays(7)))).getResultList();
        List<Silence> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(row(r, now));
        }
        return out;
    }

    @Transactional
    public List<Silence> recent() {
        return list(false);
    }

    /** Tells each silence's owner, once, {@code notice-before} its end. */
    @Scheduled(every = "${fleetdoctor.remediator.silences.check:30s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void noticeExpiring() {
        try {
            QuarkusTransaction.requiringNew().run(this::notice);
        } catch (RuntimeException e) {
            LOG.debugf("silence expiry notices not sent: %s", e.toString());
        }
    }

    @SuppressWarnings("unchecked")
    void notice() {
        Instant now = Instant.now();
        List<Object[]> rows = em.createNativeQuery(SELECT + " WHERE expired_at IS NULL AND notified_at IS NULL"
                        + " AND ends_at > ?1 AND ends_at <= ?2 FOR UPDATE SKIP LOCKED")
                .setParameter(1, Timestamp.from(now))
                .setParameter(2, Timestamp.from(now.plus(config.silences().noticeBefore()))).getResultList();
        for (Object[] r : rows) {
            Silence s = row(r, now);
            boolean fleet = s.clusters().contains(ALL);
            String text = "your silence of " + s.rule() + " on "
                    + (fleet ? "the fleet" : String.join(", ", s.clusters())) + " ("
                    + s.reason() + ") ends at " + s.endsAt() + "; extend it with a new silence if it is still needed";
            SlackMessage m = SlackMessages.notice("silence_expiring", ":bell: Silence ends soon: " + s.rule(),
                    SlackMessages.person(slackUsers.of(s.createdBy()), s.createdBy()), text);
            if (fleet) {
                notifier.adminNotice("silence", s.id(), s.id() + "|expiring", m);
            } else {
                // once in each scoped cluster's channel
                Set<String> channels = new LinkedHashSet<>();
                for (String c : s.clusters()) {
                    channels.add(String.valueOf(routing.channelOf(c)));
                }
                for (String ch : channels) {
                    notifier.noticeTo("null".equals(ch) ? null : ch, "silence", s.id(), s.id() + "|expiring|" + ch, m);
                }
            }
            String cluster = s.clusters().size() == 1 && !fleet ? s.clusters().get(0) : null;
            em.createNativeQuery("UPDATE remediator.silence SET notified_at = ?2 WHERE id = ?1")
                    .setParameter(1, s.id()).setParameter(2, Timestamp.from(now)).executeUpdate();
            audit.record("system", "system", "silence:expiring", null, cluster, "silence " + s.id() + " owner "
                    + s.createdBy() + " told; ends " + s.endsAt());
        }
    }

    private static final String SELECT = "SELECT id, rule, clusters, reason, created_by, created_at, ends_at,"
            + " expired_by, expired_at FROM remediator.silence";

    private static Silence row(Object[] r, Instant now) {
        Instant ends = FleetStatus.instant(r[6]);
        Instant expired = FleetStatus.instant(r[8]);
        Instant created = FleetStatus.instant(r[5]);
        return new Silence((String) r[0], (String) r[1], PlanJson.strings((String) r[2]), (String) r[3], (String) r[4],
                created, ends, (String) r[7], expired, expired == null && !created.isAfter(now) && ends.isAfter(now));
    }
}
