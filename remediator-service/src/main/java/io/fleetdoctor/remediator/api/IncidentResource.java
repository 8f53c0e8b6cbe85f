package io.fleetdoctor.remediator.api;

import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.remediator.approval.PlanAdminService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Set;

/** An incident, its plans (its revisions) and the admin's rebuild. Incident ids may contain '/'. */
@Path("/api/incidents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "plans")
public class IncidentResource {
    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.HttpHeaders requestHeaders;
    @Inject
    PlanQueries queries;
    @Inject
    PlanAdminService admin;
    @Inject
    SecurityIdentity identity;
    @Inject
    io.fleetdoctor.remediator.incident.IncidentStore incidents;
    @Inject
    io.fleetdoctor.remediator.fleet.Timeline timeline;

    /** @param incident null for an incident whose plans predate the incident table */
    public record IncidentDetail(io.fleetdoctor.remediator.incident.IncidentStore.Incident incident,
                                 List<PlanViews.PlanSummary> plans,
                                 List<io.fleetdoctor.remediator.fleet.Timeline.Entry> timeline) {
    }

    @GET
    @Path("{incidentId: .+}")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "The incident as received from the analyzer (a resolved one keeps its summary, severity and"
            + " evidence), its plans newest first, its timeline oldest first")
    @APIResponse(responseCode = "404", description = "no such incident")
    public IncidentDetail incident(@PathParam("incidentId") String incidentId) {
        var i = incidents.find(incidentId);
        List<PlanViews.PlanSummary> plans = queries.list(null, null, incidentId, 0, 50).items();
        if (i == null && plans.isEmpty()) {
            throw new PlanResource.NotFound("no incident " + incidentId);
        }
        return new IncidentDetail(i, plans, timeline.ofIncident(incidentId, 200));
    }

    @GET
    @Path("{incidentId: .+}/plans")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "Every plan of an incident, newest first")
    public PlanViews.Page<PlanViews.PlanSummary> plans(@PathParam("incidentId") String incidentId,
                                                       @QueryParam("page") @DefaultValue("0") int page,
                                                       @QueryParam("size") @DefaultValue("20") int size) {
        if (page < 0 || size < 1 || size > 200) {
            throw new PlanResource.BadInput("page must be >= 0 and size between 1 and 200");
        }
        return queries.list(null, null, incidentId, page, size);
    }

    @POST
    @Path("{incidentId: .+}/rebuild")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Build the incident's next plan from the live cluster (a reason is required)")
    @APIResponse(responseCode = "409", description = "a plan of the incident is executing or verifying")
    public Response rebuild(@PathParam("incidentId") String incidentId, PlanViews.RebuildRequest body) {
        Approver who = new Approver(identity.getPrincipal().getName(), Set.copyOf(identity.getRoles()));
        PlanAdminService.Rebuilt r = admin.rebuildIncident(incidentId, who, body == null ? null : body.reason(), ClientChannel.of(requestHeaders));
        return Response.status(201).entity(r).build();
    }
}
