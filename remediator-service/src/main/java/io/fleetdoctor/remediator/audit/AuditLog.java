package io.fleetdoctor.remediator.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;

/** Writes audit rows inside the caller's transaction, so an action and its audit commit together. */
@ApplicationScoped
public class AuditLog {

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String actor, String channel, String action, String planId, String cluster, String detail) {
        AuditEntry e = new AuditEntry();
        e.at = Instant.now();
        e.actor = actor;
        e.channel = channel;
        e.action = action;
        e.planId = planId;
        e.cluster = cluster;
        e.detail = detail;
        e.persist();
    }
}
