package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.Outbox;
import io.fleetdoctor.outbox.OutboxEvent;
import io.fleetdoctor.remediator.plan.PlanTransition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Writes a Slack message for every plan transition into the outbox. Runs synchronously inside the
 * transaction that persists the transition, so the message exists exactly when the transition
 * committed. It only inserts a row: Slack is never called here, so Slack can never block or fail a
 * remediation. The outbox relay delivers it right after the commit.
 */
@ApplicationScoped
public class PlanTransitionNotifier {
    private static final Logger LOG = Logger.getLogger(PlanTransitionNotifier.class);

    @Inject
    Outbox outbox;

    @Inject
    NotifyConfig config;

    @Inject
    SlackRouting routing;

    @Inject
    io.fleetdoctor.remediator.config.RemediatorConfig remediator;

    void on(@Observes PlanTransition t) {
        SlackMessage message;
        try {
            message = SlackMessages.of(t, config.planUrlBase().orElse(null));
        } catch (RuntimeException e) {
            // a formatting bug must not roll back a plan transition: send a plain message instead
            LOG.errorf(e, "cannot format the Slack message for plan %s (%s -> %s); sending plain text",
                    t.planId(), t.from(), t.to());
            message = plain(t);
        }
        message = routing.routed(t.cluster(), message);
        // one aggregate per incident: its messages (opened, then every plan's) arrive in order, in one thread
        boolean incident = t.incidentId() != null;
        outbox.emit(OutboxEvent.of(SlackOutboxSender.DESTINATION, incident ? "incident" : "plan",
                incident ? t.incidentId() : t.planId(), message.kind(), eventKey(t), message.json()));
    }

    /**
     * "Incident opened": the first message of an incident, in the transaction that records the decision (so it is
     * sent once, however often the decision is redelivered).
     */
    public void incidentOpened(String cluster, io.fleetdoctor.events.Decision d, String eventId) {
        String link = remediator.publicUrl().filter(u -> !u.isBlank()).map(u -> u.replaceAll("/+$", "") + "/ui/#/")
                .orElse(null);
        SlackMessage message = routing.routed(cluster, SlackMessages.incidentOpened(cluster, d, link));
        outbox.emit(OutboxEvent.of(SlackOutboxSender.DESTINATION, "incident", d.incidentId(), message.kind(),
                d.incidentId() + "|opened|" + eventId, message.json()));
    }

    /** Natural key of a transition, so a re-fired event does not notify twice. */
    static String eventKey(PlanTransition t) {
        return t.planId() + '|' + t.from() + '>' + t.to() + '|' + t.at() + '|' + t.actor();
    }

    private static SlackMessage plain(PlanTransition t) {
        com.fasterxml.jackson.databind.node.ObjectNode body =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        body.put("text", SlackMessages.escape("Plan " + t.planId() + " on " + t.cluster() + ": " + t.from()
                + " -> " + t.to() + (t.actor() != null ? " by " + t.actor() : "")));
        return new SlackMessage(t.to().name().toLowerCase(), body.toString());
    }

    /** A fleet notice to the cluster's channel (or the default channel when cluster is null), in the outbox. */
    public void notice(String cluster, String aggregateType, String aggregateId, String key, SlackMessage message) {
        emitTo(routing.routed(cluster, message), aggregateType, aggregateId, key);
    }

    /** A notice to this channel (null: none set, e.g. webhook mode). */
    public void noticeTo(String channel, String aggregateType, String aggregateId, String key, SlackMessage message) {
        emitTo(routing.to(channel, message), aggregateType, aggregateId, key);
    }

    /** A notice to the admins' channel ({@code admin-channel}, else the default channel). */
    public void adminNotice(String aggregateType, String aggregateId, String key, SlackMessage message) {
        emitTo(routing.to(routing.adminChannel(), message), aggregateType, aggregateId, key);
    }

    /** The admins as Slack mentions ({@code <@U…> }), or "". */
    public String adminMentions() {
        return SlackMessages.mentions(config.admins().orElse(java.util.List.of()));
    }

    private void emitTo(SlackMessage routed, String aggregateType, String aggregateId, String key) {
        outbox.emit(OutboxEvent.of(SlackOutboxSender.DESTINATION, aggregateType, aggregateId, routed.kind(), key,
                routed.json()));
    }
}
