package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.outbox.Outbox;
import io.fleetdoctor.outbox.OutboxEvent;
import io.fleetdoctor.remediator.plan.PlanTransition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Every plan transition becomes an {@code io.fleetdoctor.remediation.v1} event on
 * {@code fleetdoctor.remediations} (key = cluster). The event goes to the outbox in the transaction
 * of the transition, so only committed transitions are emitted and none is lost when Kafka is down;
 * the outbox relay sends a plan's events in order through {@link RemediationSender}.
 */
@ApplicationScoped
public class RemediationPublisher {

    @Inject
    Outbox outbox;

    void onTransition(@Observes PlanTransition t) {
        Remediation data = new Remediation(t.planId(), t.incidentId(), t.to().name(),
                t.from() == null ? null : t.from().name(), t.actor(), t.reason(), t.at());
        // stable per transition, so a consumer can deduplicate a re-send
        String id = t.planId() + ":" + (t.from() == null ? "NEW" : t.from().name()) + ":" + t.to().name();
        CloudEvent<Remediation> event = CloudEvent.of(id, "/clusters/" + t.cluster() + "/remediator", t.at(),
                t.cluster(), "plan/" + t.planId(), data);
        outbox.emit(OutboxEvent.of(Topics.REMEDIATIONS, "plan", t.planId(), EventType.REMEDIATION.id(), id,
                EventCodec.encodeToString(event)).withKey(t.cluster()));
    }
}
