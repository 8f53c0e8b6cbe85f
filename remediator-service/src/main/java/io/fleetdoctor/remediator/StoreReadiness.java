package io.fleetdoctor.remediator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Instant;

/** DOWN while a consumed record waits for the database ({@link StoreGate}): consumption is paused meanwhile. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {
    @Inject
    StoreGate gate;

    @Override
    public HealthCheckResponse call() {
        Instant since = gate.storeWait().outageSince();
        var r = HealthCheckResponse.named("plan store");
        return since == null ? r.up().build()
                : r.down().withData("database-unavailable-since", since.toString())
                        .withData("consumption", "paused until the record is stored").build();
    }
}
