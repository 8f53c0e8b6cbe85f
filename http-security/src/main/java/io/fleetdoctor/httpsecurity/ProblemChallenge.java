package io.fleetdoctor.httpsecurity;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import java.util.Set;

/**
 * Every 401 challenge of an authentication mechanism (a bad password, a bad or expired token) as
 * {@code application/problem+json}, with the mechanism's own {@code WWW-Authenticate}. The HTTP security layer
 * sends these before JAX-RS and without failing the route, so neither an exception mapper nor a failure handler
 * sees them; this decorator of every mechanism writes the body where the challenge is sent (the layer then finds
 * the response ended). Any other challenge (the OIDC code flow's redirect) is sent as the mechanism made it.
 * Every other method is passed on as it is: the layer picks mechanisms by their priority and credential transport.
 */
@Decorator
@Priority(10)
public abstract class ProblemChallenge implements HttpAuthenticationMechanism {
    @Inject
    @Delegate
    @Any
    HttpAuthenticationMechanism delegate;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identities) {
        return delegate.authenticate(ctx, identities);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext ctx) {
        return delegate.getChallenge(ctx);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return delegate.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext ctx) {
        return delegate.getCredentialTransport(ctx);
    }

    @Override
    public int getPriority() {
        return delegate.getPriority();
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext ctx) {
        return delegate.getChallenge(ctx).map(challenge -> {
            if (challenge == null) {
                return false;
            }
            if (challenge.status != 401) {
                return new ChallengeSender(ctx).apply(challenge);
            }
            if (!ctx.response().ended() && !ctx.response().headWritten()) {
                challenge.getHeaders().forEach((name, value) -> ctx.response().headers().set(name, value));
                String detail = ctx.request().getHeader("Authorization") == null ? "credentials required"
                        : "authentication failed: bad, expired or unknown credentials";
                ctx.response().setStatusCode(401).putHeader("Content-Type", "application/problem+json").end(
                        new JsonObject().put("type", "about:blank").put("title", "Unauthorized").put("status", 401)
                                .put("detail", detail).encode());
            }
            return true;
        });
    }
}
