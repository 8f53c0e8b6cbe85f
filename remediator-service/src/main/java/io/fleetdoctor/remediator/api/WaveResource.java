package io.fleetdoctor.remediator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.remediator.wave.WaveService;
import io.fleetdoctor.remediator.wave.WaveView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Canary waves: one fix on several clusters, the canary first, then waves (README, "Canary waves"). */
@Path("/api/waves")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "plans")
public class WaveResource {
    @jakarta.ws.rs.core.Context
    HttpHeaders requestHeaders;
    @Inject
    WaveService waves;
    @Inject
    SecurityIdentity identity;
    @Inject
    ObjectMapper json;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "The 100 newest waves with their members")
    public List<WaveView> list() {
        return waves.list();
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "One wave: state, waveHash, the fix, and per member its wave, release and plan state")
    @APIResponse(responseCode = "404", description = "no such wave")
    public WaveView get(@PathParam("id") String id) {
        WaveView w = waves.get(id);
        if (w == null) {
            throw new PlanResource.NotFound("no wave " + id);
        }
        return w;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "Group PENDING_APPROVAL plans of one fix into a wave: {\"plans\": [\"id\", ...], "
            + "\"canaryCluster\": \"id\" (default: the first plan's), \"waveSize\": 5 (default wave.default-size)}")
    @APIResponse(responseCode = "201", description = "the wave")
    @APIResponse(responseCode = "400", description = "bad body, unknown plan, two plans of one cluster")
    @APIResponse(responseCode = "409", description = "a plan is not awaiting approval, not executable live, blocked, "
            + "already in a wave, or makes another change")
    public Response create(@HeaderParam(HttpHeaders.CONTENT_TYPE) String type, String body) {
        JsonNode b = JsonOnly.body(json, type, body);
        JsonNode plans = b.path("plans");
        if (!plans.isArray()) {
            throw new BadRequestException("plans: an array of plan ids is required");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode p : plans) {
            if (!p.isTextual() || p.asText().isBlank() || p.asText().length() > 64) {
                throw new BadRequestException("plans: " + p + " is not a plan id");
            }
            ids.add(p.asText().trim());
        }
        JsonNode canary = b.path("canaryCluster");
        if (!canary.isMissingNode() && !canary.isNull() && !canary.isTextual()) {
            throw new BadRequestException("canaryCluster: a cluster id");
        }
        JsonNode size = b.path("waveSize");
        if (!size.isMissingNode() && !size.isNull() && !size.isIntegralNumber()) {
            throw new BadRequestException("waveSize: a whole number");
        }
        if (size.isIntegralNumber() && !size.canConvertToInt()) {
            throw new BadRequestException("waveSize must be between 1 and " + WaveService.MAX_SIZE);
        }
        WaveView w = waves.create(ids, canary.isTextual() ? canary.asText() : null,
                size.isIntegralNumber() ? size.asInt() : null, identity.getPrincipal().getName(),
                ClientChannel.of(requestHeaders));
        return Response.status(201).entity(w).build();
    }

    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "Approve every member awaiting approval, as one approval per plan under its cluster's policy "
            + "(required waveHash, optional comment)")
    @APIResponse(responseCode = "400", description = "waveHash missing")
    @APIResponse(responseCode = "409", description = "waveHash is not the wave's current one, the wave is halted or "
            + "completed, or no member awaits approval")
    public WaveView.Approved approve(@PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                     String body) {
        JsonNode b = JsonOnly.body(json, type, body);
        JsonNode hash = b.path("waveHash");
        JsonNode comment = b.path("comment");
        if (!hash.isMissingNode() && !hash.isNull() && !hash.isTextual()) {
            throw new BadRequestException("waveHash: a string");
        }
        if (!comment.isMissingNode() && !comment.isNull() && (!comment.isTextual() || comment.asText().length() > 2000)) {
            throw new BadRequestException("comment: a string of at most 2000 characters");
        }
        Approver who = new Approver(identity.getPrincipal().getName(), Set.copyOf(identity.getRoles()));
        return waves.approve(id, who, comment.isTextual() ? comment.asText() : null,
                hash.isTextual() ? hash.asText() : null, ClientChannel.of(requestHeaders));
    }
}
