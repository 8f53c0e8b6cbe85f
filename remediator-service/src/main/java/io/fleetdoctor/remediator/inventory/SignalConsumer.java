package io.fleetdoctor.remediator.inventory;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.InvalidEventException;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.remediator.execution.VerificationWatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The remediator's own consumer group on {@code fleetdoctor.signals}: node inventories (for the
 * interface pre-checks) and, for clusters being verified, restarts and flanneld IO. Never throws.
 */
@ApplicationScoped
public class SignalConsumer {
    private static final Logger LOG = Logger.getLogger(SignalConsumer.class);

    @Inject
    InventoryService inventories;
    @Inject
    VerificationWatcher watcher;
    @Inject
    MeterRegistry registry;

    private Counter rejected;

    @PostConstruct
    void init() {
        rejected = registry.counter("fleetdoctor.remediator.signals.rejected");
    }

    @Incoming("signals")
    @Blocking
    public void consume(byte[] value) {
        CloudEvent<?> event;
        try {
            event = EventCodec.decode(value);
        } catch (InvalidEventException e) {
            rejected.increment();
            LOG.debugf("skipping bad signal (field %s): %s", e.field(), e.getMessage());
            return;
        }
        try {
            if (event.data() instanceof NodeInterfaces) {
                inventories.upsert(event.as(NodeInterfaces.class));
            }
            watcher.onSignal(event);
        } catch (RuntimeException e) {
            rejected.increment();
            LOG.warnf(e, "signal %s not applied", event.id());
        }
    }
}
