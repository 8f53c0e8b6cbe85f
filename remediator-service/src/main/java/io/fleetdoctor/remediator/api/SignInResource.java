package io.fleetdoctor.remediator.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Optional;

/**
 * How the approvals page signs in: {@code oidc} (prod: the page was reached through the code flow, its calls
 * carry the session cookie, sign-out at {@code signOut}) or {@code basic} (dev, test, local: user and password
 * sent as an Authorization header). Public (permission {@code sign-in}): it says nothing about any user.
 */
@Path("/api/sign-in")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "fleet")
public class SignInResource {
    @ConfigProperty(name = "quarkus.oidc.tenant-enabled")
    boolean oidc;
    @ConfigProperty(name = "quarkus.oidc.logout.path")
    Optional<String> logoutPath;

    public record SignIn(String method, String signOut) {
    }

    @GET
    @Operation(summary = "How the page signs in: oidc (session cookie) or basic")
    public SignIn signIn() {
        return oidc ? new SignIn("oidc", logoutPath.orElse(null)) : new SignIn("basic", null);
    }
}
