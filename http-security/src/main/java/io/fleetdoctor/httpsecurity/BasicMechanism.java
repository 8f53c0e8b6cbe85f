package io.fleetdoctor.httpsecurity;

import io.quarkus.vertx.http.runtime.security.BasicAuthenticationMechanism;
import jakarta.inject.Singleton;

/**
 * HTTP Basic as a bean of this application, so that {@link ProblemChallenge} decorates it and an anonymous request
 * gets a 401 problem+json like a bad credential. With {@code quarkus.http.auth.basic=true} Quarkus registers its
 * own Basic mechanism as a synthetic bean, and CDI decorators never apply to synthetic beans: that mechanism sent
 * the anonymous challenge with an empty body. Hence {@code quarkus.http.auth.basic=false} and this class instead;
 * same realm (none), same priority, same challenge header.
 */
@Singleton
public class BasicMechanism extends BasicAuthenticationMechanism {
    public BasicMechanism() {
        super(null, false);
    }
}
