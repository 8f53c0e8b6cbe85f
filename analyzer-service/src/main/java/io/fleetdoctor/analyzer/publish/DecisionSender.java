package io.fleetdoctor.analyzer.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.outbox.KafkaOutboxSender;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * The outbox's way to {@code fleetdoctor.decisions} (key = cluster): the {@code decisions} channel,
 * {@code acks=all}. A decision counts as published once the broker acknowledged it; until then the
 * relay sends it again, with the same CloudEvent id, by which consumers deduplicate.
 */
@ApplicationScoped
public class DecisionSender extends KafkaOutboxSender {
    @Inject
    @Channel("decisions")
    Emitter<byte[]> emitter;

    public DecisionSender() {
        super(Topics.DECISIONS, CloudEvent.CONTENT_TYPE);
    }

    @Override
    protected Emitter<byte[]> emitter() {
        return emitter;
    }
}
