package io.fleetdoctor.remediator;

import io.fleetdoctor.outbox.StoreWait;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import javax.sql.DataSource;
import java.time.Instant;

/**
 * The consumers' wait for the database ({@link StoreWait}), shared by the decision and signal consumers, and
 * the readiness check that is DOWN while a record waits for it.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {
    private final StoreWait wait;

    @Inject
    public StoreReadiness(DataSource dataSource) {
        this.wait = new StoreWait(dataSource, 5);
    }

    public StoreWait storeWait() {
        return wait;
    }

    @Override
    public HealthCheckResponse call() {
        Instant since = wait.outageSince();
        var r = HealthCheckResponse.named("plan store");
        return since == null ? r.up().build()
                : r.down().withData("database-unavailable-since", since.toString())
                        .withData("consumption", "paused until the record is stored").build();
    }
}
