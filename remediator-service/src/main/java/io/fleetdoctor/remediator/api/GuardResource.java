package io.fleetdoctor.remediator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.guard.Silences;
import io.fleetdoctor.remediator.guard.StormGuard;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The storm guard's grouped fleet incidents (admins resume) and silences (approvers create and end them). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "fleet")
public class GuardResource {
    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.HttpHeaders requestHeaders;
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,98}[a-z0-9])?");

    @Inject
    StormGuard storms;
    @Inject
    Silences silences;
    @Inject
    SecurityIdentity identity;
    @Inject
    ObjectMapper json;
    @Inject
    RemediatorConfig config;

    @GET
    @Path("storms")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "Storms: one rule opened on too many clusters at once; its execution is paused until resumed")
    public List<StormGuard.Storm> storms() {
        return storms.storms();
    }

    @POST
    @Path("storms/{id}/resume")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Resume the storm's rule fleet-wide (body {\"reason\": \"...\"}, required)")
    public StormGuard.Storm resume(@PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                   String body) {
        String reason = text(JsonOnly.body(json, type, body), "reason", 2000);
        if (storms.storm(id) == null) {
            throw new NotFoundException("no storm " + id);
        }
        if (!storms.resume(id, identity.getPrincipal().getName(), ClientChannel.of(requestHeaders), reason)) {
            throw new ClientErrorException("storm " + id + " was already resumed", Response.Status.CONFLICT);
        }
        return storms.storm(id);
    }

    @GET
    @Path("silences")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "Silences of the last 7 days, newest first, with `active`")
    public List<Silences.Silence> silences() {
        return silences.recent();
    }

    @POST
    @Path("silences")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "Silence a rule on clusters or the fleet: {\"rule\": \"flannel-iface\" | \"*\", \"clusters\":"
            + " [\"id\", ...] | [\"*\"], \"duration\": \"PT2H\", \"reason\": \"...\"}")
    public Response silence(@HeaderParam(HttpHeaders.CONTENT_TYPE) String type, String body) {
        JsonNode b = JsonOnly.body(json, type, body);
        String rule = text(b, "rule", 100);
        if (!Silences.ALL.equals(rule) && !NAME.matcher(rule).matches()) {
            throw new BadRequestException("rule: a rule id such as flannel-iface, or *");
        }
        JsonNode cl = b.path("clusters");
        if (!cl.isArray() || cl.isEmpty() || cl.size() > 500) {
            throw new BadRequestException("clusters: an array of 1 to 500 cluster ids, or [\"*\"] for the fleet");
        }
        List<String> clusters = new ArrayList<>();
        for (JsonNode c : cl) {
            if (!c.isTextual() || !(Silences.ALL.equals(c.asText()) || NAME.matcher(c.asText()).matches())) {
                throw new BadRequestException("clusters: " + c + " is not a cluster id");
            }
            clusters.add(c.asText());
        }
        if (clusters.contains(Silences.ALL) && clusters.size() > 1) {
            throw new BadRequestException("clusters: [\"*\"] (the fleet) or a list of ids, not both");
        }
        Duration d;
        try {
            d = Duration.parse(text(b, "duration", 40));
        } catch (DateTimeParseException e) {
            throw new BadRequestException("duration: an ISO-8601 duration such as PT2H");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(config.silences().maxDuration()) > 0) {
            throw new BadRequestException("duration: more than 0 and at most " + config.silences().maxDuration());
        }
        Silences.Silence s = silences.create(rule, clusters, d, text(b, "reason", 2000),
                identity.getPrincipal().getName(), ClientChannel.of(requestHeaders));
        return Response.status(Response.Status.CREATED).entity(s).build();
    }

    @POST
    @Path("silences/{id}/expire")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    @Operation(summary = "End a silence now")
    public Silences.Silence expire(@PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                   String body) {
        JsonOnly.body(json, type, body);
        if (silences.get(id) == null) {
            throw new NotFoundException("no silence " + id);
        }
        if (!silences.expire(id, identity.getPrincipal().getName(), ClientChannel.of(requestHeaders))) {
            throw new ClientErrorException("silence " + id + " is already over", Response.Status.CONFLICT);
        }
        return silences.get(id);
    }

    private static String text(JsonNode b, String field, int max) {
        JsonNode v = b.path(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new BadRequestException(field + " is required (a string)");
        }
        if (v.asText().length() > max) {
            throw new BadRequestException(field + ": at most " + max + " characters");
        }
        return v.asText();
    }
}
