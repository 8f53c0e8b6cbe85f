package io.fleetdoctor.analyzer.api;

import io.fleetdoctor.analyzer.incident.IncidentQueries;
import io.fleetdoctor.analyzer.incident.IncidentViews;
import io.fleetdoctor.analyzer.ingest.Analysis;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/fleet")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "fleet")
public class FleetResource {
    @Inject
    IncidentQueries queries;
    @Inject
    Analysis analysis;

    @GET
    @Path("summary")
    @Operation(summary = "Clusters seen, their newest signal time and open incidents")
    public IncidentViews.FleetSummary summary() {
        return queries.fleet(analysis.liveWatermarks());
    }
}
