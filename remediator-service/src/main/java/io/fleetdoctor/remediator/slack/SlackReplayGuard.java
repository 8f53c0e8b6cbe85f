package io.fleetdoctor.remediator.slack;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Duration;
import java.time.Instant;

/**
 * Remembers the signatures of handled Slack requests (table {@code slack_request_seen}), so the same signed
 * request is accepted once, on every instance, even within the timestamp window. Rows older than twice the
 * window are dropped: such a request is refused as stale anyway.
 */
@ApplicationScoped
public class SlackReplayGuard {
    @Inject
    EntityManager em;

    /** True the first time this signature is seen, false for a replay. */
    public boolean firstUse(String signature, Instant now, Duration window) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("delete from remediator.slack_request_seen where seen_at < ?1")
                    .setParameter(1, now.minus(window.multipliedBy(2))).executeUpdate();
            int inserted = em.createNativeQuery("insert into remediator.slack_request_seen (signature, seen_at) values (?1, ?2) "
                    + "on conflict (signature) do nothing").setParameter(1, signature).setParameter(2, now).executeUpdate();
            return inserted == 1;
        });
    }
}
