package io.fleetdoctor.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's shared broker and database. {@link #stop()} leaves them
 * running for the next test class; the shutdown hook of {@link SharedInfra} stops them.
 */
public class InfraTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return SharedInfra.get().quarkusConfig();
    }

    @Override
    public void stop() {
        // shared for the whole JVM
    }
}
