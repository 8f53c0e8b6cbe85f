package io.fleetdoctor.remediator.api;

import io.fleetdoctor.remediator.config.RemediatorConfig;
import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.fleet.FleetStatus;
import io.fleetdoctor.remediator.policy.PolicyService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet guards: pause/resume (admin) and the effective policy (viewer). pause and resume change state, so
 * they take JSON only (a JSON object, or no body, with Content-Type application/json): a cross-site form or a
 * simple request cannot send that header without a CORS preflight, which this service never grants.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "fleet")
public class FleetResource {
    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.HttpHeaders requestHeaders;
    @Inject
    PolicyService policy;
    @Inject
    RemediatorConfig config;
    @Inject
    SecurityIdentity identity;
    @Inject
    ClusterRegistry registry;
    @Inject
    ObjectMapper json;
    @Inject
    FleetStatus fleetStatus;
    @Inject
    io.fleetdoctor.remediator.incident.IncidentStore incidents;
    @Inject
    io.fleetdoctor.remediator.fleet.Timeline timeline;
    @Inject
    PlanQueries plans;

    public record FleetView(boolean paused) {
    }

    public record PolicyView(int defaultApprovals, Map<String, Integer> classApprovals, String defaultClass,
                             Map<String, String> clusterClass, Duration expiry, int maxExecuting, Duration cooldown,
                             Map<String, String> maintenanceWindows, Duration rolloutTimeout, Duration verifyWindow,
                             boolean paused, Map<String, ClusterView> clusters) {
    }

    /** A cluster's incidents (open first, then the newest resolved), newest plans and timeline (oldest first). */
    public record ClusterDetail(String cluster, List<io.fleetdoctor.remediator.incident.IncidentStore.Incident> incidents,
                                List<PlanViews.PlanSummary> plans,
                                List<io.fleetdoctor.remediator.fleet.Timeline.Entry> timeline) {
    }

    /** A registered cluster: how it is reached (never credentials), its class, owners and Slack channel. */
    public record ClusterView(String access, String clusterClass, List<String> owners, String slackChannel) {
    }

    @POST
    @Path("fleet/pause")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Stop starting plans across the fleet (running ones finish)")
    public FleetView pause(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        jsonOnly(contentType, body);
        policy.setPaused(true, identity.getPrincipal().getName(), ClientChannel.of(requestHeaders));
        return new FleetView(true);
    }

    @POST
    @Path("fleet/resume")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Start plans again")
    public FleetView resume(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        jsonOnly(contentType, body);
        policy.setPaused(false, identity.getPrincipal().getName(), ClientChannel.of(requestHeaders));
        return new FleetView(false);
    }

    @GET
    @Path("fleet/clusters")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "Every cluster of the registry or that reports: last heartbeats (collector, node agents),"
            + " stale ones, plans by state")
    public FleetStatus.Fleet clustersStatus() {
        return fleetStatus.fleet();
    }

    @GET
    @Path("fleet/clusters/{cluster}")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "One cluster: its incidents with evidence, its plans and its timeline (signals, incident,"
            + " plan, approvals, rollout, verification); empty lists for a cluster nothing is known of")
    public ClusterDetail cluster(@jakarta.ws.rs.PathParam("cluster") String cluster) {
        return new ClusterDetail(cluster, incidents.ofCluster(cluster, 50), plans.list(cluster, null, null, 0, 50).items(),
                timeline.ofCluster(cluster, 200));
    }

    @GET
    @Path("policy")
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "The approval policy and fleet guards in force")
    public PolicyView policy() {
        RemediatorConfig.Policy p = config.policy();
        return new PolicyView(p.defaultApprovals(), p.classApprovals(), p.defaultClass(), p.clusterClass(), p.expiry(),
                p.maxExecuting(), p.cooldown(), p.maintenanceWindows(), config.execution().rolloutTimeout(),
                config.execution().verifyWindow(), policy.paused(), clusters());
    }

    private Map<String, ClusterView> clusters() {
        Map<String, ClusterView> out = new TreeMap<>();
        registry.all().forEach((id, c) -> out.put(id, new ClusterView(c.access(), policy.classOf(id), c.owners(),
                c.slackChannel())));
        return out;
    }

    private void jsonOnly(String contentType, String body) {
        JsonOnly.body(json, contentType, body);
    }
}
