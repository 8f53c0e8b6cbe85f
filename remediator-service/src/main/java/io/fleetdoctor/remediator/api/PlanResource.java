package io.fleetdoctor.remediator.api;

import io.fleetdoctor.remediator.approval.ApprovalGate;
import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.remediator.approval.PlanAdminService;
import io.fleetdoctor.remediator.plan.PlanState;
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

/** Plans: list, read, approve, reject; the admin's rebuild and live override. Thin: the services do the work. */
@Path("/api/plans")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "plans")
public class PlanResource {
    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.HttpHeaders requestHeaders;
    @Inject
    PlanQueries queries;
    @Inject
    ApprovalGate gate;
    @Inject
    PlanAdminService admin;
    @Inject
    SecurityIdentity identity;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "List plans, newest first, optionally filtered by cluster, state and incident")
    @APIResponse(responseCode = "400", description = "bad filter or paging")
    public PlanViews.Page<PlanViews.PlanSummary> list(@QueryParam("cluster") String cluster,
                                                      @QueryParam("state") String state,
                                                      @QueryParam("incident") String incident,
                                                      @QueryParam("page") @DefaultValue("0") int page,
                                                      @QueryParam("size") @DefaultValue("20") int size) {
        if (page < 0 || size < 1 || size > 200) {
            throw new BadInput("page must be >= 0 and size between 1 and 200");
        }
        PlanState s = null;
        if (state != null && !state.isBlank()) {
            try {
                s = PlanState.valueOf(state.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new BadInput("unknown state \"" + state + "\"");
            }
        }
        return queries.list(cluster == null || cluster.isBlank() ? null : cluster, s,
                incident == null || incident.isBlank() ? null : incident, page, size);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "One plan with its diff, pre-checks, approvals and history")
    @APIResponse(responseCode = "404", description = "no such plan")
    public PlanViews.PlanDetail get(@PathParam("id") String id) {
        PlanViews.PlanDetail d = queries.get(id);
        if (d == null) {
            throw new NotFound("no plan " + id);
        }
        return d;
    }

    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "Approve the plan hash you reviewed (required planHash, optional comment, optional interface override)")
    @APIResponse(responseCode = "400", description = "planHash missing, bad iface")
    @APIResponse(responseCode = "409", description = "planHash is not the plan's current one, or the plan is not awaiting "
            + "approval, is blocked or needs an iface")
    public PlanViews.StateView approve(@PathParam("id") String id, PlanViews.ApproveRequest body) {
        PlanViews.ApproveRequest b = body == null ? new PlanViews.ApproveRequest(null, null, null) : body;
        PlanState s = gate.approve(id, approver(), b.comment(), b.iface(), b.planHash(), ClientChannel.of(requestHeaders));
        return new PlanViews.StateView(id, s.name());
    }

    @POST
    @Path("{id}/rebuild")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Build the next plan of this plan's incident from the live cluster (a reason is required)")
    @APIResponse(responseCode = "409", description = "a plan of the incident is executing or verifying")
    public Response rebuild(@PathParam("id") String id, PlanViews.RebuildRequest body) {
        PlanAdminService.Rebuilt r = admin.rebuildPlan(id, approver(), body == null ? null : body.reason(), ClientChannel.of(requestHeaders));
        return Response.status(201).entity(r).build();
    }

    @POST
    @Path("{id}/live-override")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Let a managed DaemonSet's plan be applied live once approved (reason and planHash required)")
    @APIResponse(responseCode = "409", description = "not managed, k3s advice, not awaiting approval, or another planHash")
    public PlanViews.StateView liveOverride(@PathParam("id") String id, PlanViews.LiveOverrideRequest body) {
        PlanViews.LiveOverrideRequest b = body == null ? new PlanViews.LiveOverrideRequest(null, null) : body;
        PlanState s = admin.liveOverride(id, approver(), b.reason(), b.planHash(), ClientChannel.of(requestHeaders));
        return new PlanViews.StateView(id, s.name());
    }

    @POST
    @Path("{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "Reject a plan with a reason")
    @APIResponse(responseCode = "400", description = "no reason given")
    public PlanViews.StateView reject(@PathParam("id") String id, PlanViews.RejectRequest body) {
        if (body == null || body.reason() == null || body.reason().isBlank()) {
            throw new BadInput("reason is required");
        }
        PlanState s = gate.reject(id, approver(), body.reason(), ClientChannel.of(requestHeaders));
        return new PlanViews.StateView(id, s.name());
    }

    Approver approver() {
        return new Approver(identity.getPrincipal().getName(), Set.copyOf(identity.getRoles()));
    }

    static final class BadInput extends jakarta.ws.rs.WebApplicationException {
        BadInput(String detail) {
            super(detail, Problem.response(400, detail));
        }
    }

    static final class NotFound extends jakarta.ws.rs.WebApplicationException {
        NotFound(String detail) {
            super(detail, Problem.response(404, detail));
        }
    }

    static Response ok(Object o) {
        return Response.ok(o).build();
    }
}
