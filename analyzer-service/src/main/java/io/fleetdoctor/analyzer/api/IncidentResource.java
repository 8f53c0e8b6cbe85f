package io.fleetdoctor.analyzer.api;

import io.fleetdoctor.analyzer.incident.IncidentQueries;
import io.fleetdoctor.analyzer.incident.IncidentViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Set;

@Path("/api/incidents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "incidents")
public class IncidentResource {
    private static final Set<String> STATUSES = Set.of("open", "resolved");

    @Inject
    IncidentQueries queries;

    @GET
    @Operation(summary = "List incidents, newest change first; filter by cluster, rule and status")
    public IncidentViews.Page list(@QueryParam("cluster") String cluster, @QueryParam("rule") String rule,
                                   @QueryParam("status") String status,
                                   @QueryParam("page") @DefaultValue("0") int page,
                                   @QueryParam("size") @DefaultValue("50") int size) {
        if (status != null && !STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be one of " + STATUSES + ", was '" + status + "'");
        }
        if (page < 0) {
            throw new IllegalArgumentException("page must be >= 0");
        }
        if (size < 1 || size > 500) {
            throw new IllegalArgumentException("size must be within 1..500");
        }
        return queries.list(cluster, rule, status, page, size);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One incident with its evidence, recommendation and decision history")
    public IncidentViews.Detail get(@PathParam("id") String id) {
        return queries.get(id).orElseThrow(() -> new NotFoundException("no incident " + id));
    }
}
