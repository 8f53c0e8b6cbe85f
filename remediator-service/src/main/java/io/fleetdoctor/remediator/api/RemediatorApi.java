package io.fleetdoctor.remediator.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** OpenAPI description: the two ways to authenticate. */
@OpenAPIDefinition(info = @Info(title = "fleetdoctor remediator", version = "1",
        description = "Remediation plans, approval gates and fleet guards"),
        security = {@SecurityRequirement(name = "basic"), @SecurityRequirement(name = "jwt")})
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic"),
        @SecurityScheme(securitySchemeName = "jwt", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")})
public class RemediatorApi extends Application {
}
