package io.fleetdoctor.remediator.decision;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.InvalidEventException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Thin consumer of {@code fleetdoctor.decisions}: decode, validate, hand over. Never throws. */
@ApplicationScoped
public class DecisionConsumer {
    private static final Logger LOG = Logger.getLogger(DecisionConsumer.class);

    @Inject
    DecisionService service;
    @Inject
    MeterRegistry registry;

    @Incoming("decisions")
    @Blocking
    public void consume(byte[] value) {
        CloudEvent<?> event;
        try {
            event = EventCodec.decode(value);
            if (!(event.data() instanceof Decision)) {
                throw new InvalidEventException("type", "not a decision: " + event.type().id());
            }
        } catch (InvalidEventException e) {
            LOG.warnf("skipping bad decision record (field %s): %s", e.field(), e.getMessage());
            registry.counter("fleetdoctor.remediator.decisions.rejected", "reason", "invalid").increment();
            return;
        }
        try {
            DecisionService.Outcome outcome = service.handle(event.as(Decision.class));
            registry.counter("fleetdoctor.remediator.decisions.processed", "outcome", outcome.name()).increment();
        } catch (RuntimeException e) {
            // e.g. a concurrent delivery won the unique constraint; the plan exists either way
            LOG.warnf(e, "decision %s not applied", event.id());
            registry.counter("fleetdoctor.remediator.decisions.rejected", "reason", "failed").increment();
        }
    }
}
