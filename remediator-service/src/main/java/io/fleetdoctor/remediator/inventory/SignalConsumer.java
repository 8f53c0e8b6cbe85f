package io.fleetdoctor.remediator.inventory;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.InvalidEventException;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.remediator.execution.VerificationWatcher;
import io.fleetdoctor.remediator.fleet.Heartbeats;
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
 * interface pre-checks) and, for clusters being verified, restarts and flanneld IO. A signal is acknowledged
 * only once applied: while the database is away the consumer waits (a verification must not miss the signal
 * that fails it); one the database refuses while it answers is counted and logged, then skipped.
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
    @Inject
    Heartbeats heartbeats;
    @Inject
    io.fleetdoctor.remediator.StoreGate store;

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
        if (event.data() instanceof Heartbeat h) {
            heartbeats.seen(event, h, java.time.Instant.now());
            return;
        }
        CloudEvent<?> signal = event;
        try {
            store.storeWait().call("signal " + event.id(), () -> {
                if (signal.data() instanceof NodeInterfaces) {
                    inventories.upsert(signal.as(NodeInterfaces.class));
                }
                watcher.onSignal(signal);
                return null;
            });
        } catch (io.fleetdoctor.outbox.StoreWait.Refused e) {
            rejected.increment();
            LOG.warnf(e.getCause(), "SKIPPED signal %s: %s", event.id(), e.getMessage());
        }
    }
}
