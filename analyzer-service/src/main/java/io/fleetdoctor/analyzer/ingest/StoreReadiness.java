package io.fleetdoctor.analyzer.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Instant;

/** DOWN while an incident change waits for the database: the consumer is stopped, nothing is acknowledged. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {
    @Inject
    Analysis analysis;

    @Override
    public HealthCheckResponse call() {
        Instant since = analysis.outageSince();
        var r = HealthCheckResponse.named("incident store");
        return since == null ? r.up().build()
                : r.down().withData("database-unavailable-since", since.toString())
                        .withData("consumption", "paused until the change is stored").build();
    }
}
