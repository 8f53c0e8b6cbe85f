package io.fleetdoctor.remediator;

import io.fleetdoctor.outbox.StoreWait;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;

/** The consumers' wait for the database ({@link StoreWait}), shared by the decision and signal consumers. */
@ApplicationScoped
public class StoreGate {
    private final StoreWait wait;

    @Inject
    public StoreGate(DataSource dataSource) {
        this.wait = new StoreWait(dataSource, 5);
    }

    public StoreWait storeWait() {
        return wait;
    }
}
