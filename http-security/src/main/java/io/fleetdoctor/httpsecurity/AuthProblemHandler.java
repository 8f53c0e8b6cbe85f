package io.fleetdoctor.httpsecurity;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticator;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * 401 and 403 that the HTTP security layer raises as failures (a path policy's 403, an authentication failure
 * that fails the route) as {@code application/problem+json}, keeping the mechanism's challenge
 * ({@code WWW-Authenticate}). The router's first failure handler; any other failure goes on to Quarkus' handlers.
 * The 401 challenges Quarkus sends without failing the route (anonymous, bad password or token) are
 * {@link ProblemChallenge}'s.
 */
@ApplicationScoped
public class AuthProblemHandler {
    static final String MEDIA_TYPE = "application/problem+json";

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    /**
     * Only a failed authentication (bad credentials), a missing one and a missing role: the OIDC code flow's
     * redirects (AuthenticationRedirectException, AuthenticationCompletionException, also AuthenticationExceptions)
     * go on to Quarkus' own handling.
     */
    void handle(RoutingContext ctx) {
        Throwable t = root(ctx.failure());
        int status = t instanceof AuthenticationFailedException || t instanceof UnauthorizedException ? 401
                : t instanceof ForbiddenException ? 403 : 0;
        if (status == 0 || ctx.response().ended() || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        if (status == 403) {
            write(ctx, 403, "Forbidden", "your roles do not allow this");
            return;
        }
        String detail = t instanceof UnauthorizedException ? "credentials required"
                : "authentication failed: bad or unknown credentials";
        HttpAuthenticator authenticator = ctx.get(HttpAuthenticator.class.getName());
        if (authenticator == null) {
            write(ctx, 401, "Unauthorized", detail);
            return;
        }
        authenticator.getChallenge(ctx).subscribe().with(challenge -> {
            if (challenge != null) {
                challenge.getHeaders().forEach((name, value) -> ctx.response().headers().set(name, value));
                if (challenge.status != 401 && challenge.status > 0) {
                    // the OIDC code flow's challenge is a redirect to the provider (302 + Location): a browser
                    // must follow it, so it is sent as it is, not turned into a 401 problem
                    if (!ctx.response().ended()) {
                        ctx.response().setStatusCode(challenge.status).end();
                    }
                    return;
                }
            }
            write(ctx, 401, "Unauthorized", detail);
        }, e -> write(ctx, 401, "Unauthorized", detail));
    }

    private static void write(RoutingContext ctx, int status, String title, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE).end(new JsonObject()
                .put("type", "about:blank").put("title", title).put("status", status).put("detail", detail).encode());
    }

    private static Throwable root(Throwable t) {
        while (t != null && !(t instanceof AuthenticationFailedException || t instanceof UnauthorizedException
                || t instanceof ForbiddenException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
