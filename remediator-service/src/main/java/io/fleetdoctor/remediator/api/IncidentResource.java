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

import java.util.Set;

/** An incident's plans (its revisions) and the admin's rebuild. Incident ids may contain '/'. */
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
