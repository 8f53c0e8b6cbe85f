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

/**
 * Thin consumer of {@code fleetdoctor.decisions}: decode, validate, hand over. A decision is acknowledged only
 * once stored: while the database is away the consumer waits ({@link io.fleetdoctor.remediator.StoreReadiness}
 * says DOWN); a decision the database refuses while it answers is counted and logged, then skipped.
 */
@ApplicationScoped
public class DecisionConsumer {
    private static final Logger LOG = Logger.getLogger(DecisionConsumer.class);

    @Inject
    DecisionService service;
    @Inject
    MeterRegistry registry;
    @Inject
    io.fleetdoctor.remediator.StoreGate store;

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
            CloudEvent<Decision> decision = event.as(Decision.class);
            DecisionService.Outcome outcome = store.storeWait().call("decision " + event.id(), () -> service.handle(decision));
            registry.counter("fleetdoctor.remediator.decisions.processed", "outcome", outcome.name()).increment();
        } catch (io.fleetdoctor.outbox.StoreWait.Refused e) {
            // e.g. a concurrent delivery won the unique constraint; the plan exists either way
            LOG.warnf(e.getCause(), "SKIPPED decision %s: %s", event.id(), e.getMessage());
            registry.counter("fleetdoctor.remediator.decisions.rejected", "reason", "failed").increment();
        }
    }
}
