package io.fleetdoctor.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's shared broker and database, and sets its
 * {@code @InjectKafka KafkaTestClient} fields to a client of that broker. {@link #stop()} leaves the
 * servers running for the next test class; the shutdown hook of {@link SharedInfra} stops them.
 */
public class InfraTestResource implements QuarkusTestResourceLifecycleManager {
    private KafkaTestClient kafka;

    @Override
    public Map<String, String> start() {
        SharedInfra infra = SharedInfra.get();
        kafka = new KafkaTestClient(infra.kafka().bootstrapServers());
        return infra.quarkusConfig();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.AnnotatedAndMatchesType(InjectKafka.class,
                KafkaTestClient.class));
    }

    @Override
    public void stop() {
        // the servers are shared for the whole JVM; only this application's client goes
        if (kafka != null) {
            kafka.close();
        }
    }
}
