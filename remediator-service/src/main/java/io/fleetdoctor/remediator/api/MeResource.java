package io.fleetdoctor.remediator.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Who the caller is: the page shows the controls of the caller's roles (the API still decides). */
@Path("/api/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "fleet")
public class MeResource {
    @Inject
    SecurityIdentity identity;

    public record Me(String user, List<String> roles) {
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "The caller's name and fleetdoctor roles")
    public Me me() {
        return new Me(identity.getPrincipal().getName(), identity.getRoles().stream()
                .filter(r -> r.equals(Roles.VIEWER) || r.equals(Roles.APPROVER) || r.equals(Roles.ADMIN)).sorted().toList());
    }
}
