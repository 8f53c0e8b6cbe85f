package io.fleetdoctor.remediator.publish;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.outbox.KafkaOutboxSender;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** The outbox's way to {@code fleetdoctor.remediations}: the {@code remediations} channel. */
@ApplicationScoped
public class RemediationSender extends KafkaOutboxSender {
    @Inject
    @Channel("remediations")
    Emitter<byte[]> emitter;

    public RemediationSender() {
        super(Topics.REMEDIATIONS, CloudEvent.CONTENT_TYPE);
    }

    @Override
    protected Emitter<byte[]> emitter() {
        return emitter;
    }
}
