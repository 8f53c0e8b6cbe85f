package io.fleetdoctor.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Kafka broker and one PostgreSQL server per JVM, started on first use and stopped by a
 * shutdown hook. Tests of every class share them; isolation comes from unique cluster ids,
 * consumer groups and schemas, not from fresh servers.
 */
public final class SharedInfra {
    private static volatile SharedInfra instance;

    private final Path dir;
    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresServer postgres;

    private SharedInfra(Path dir, EmbeddedKafka kafka, EmbeddedPostgresServer postgres) {
        this.dir = dir;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    public static SharedInfra get() {
        SharedInfra i = instance;
        if (i == null) {
            synchronized (SharedInfra.class) {
                i = instance;
                if (i == null) {
                    i = start();
                    instance = i;
                }
            }
        }
        return i;
    }

    private static SharedInfra start() {
        try {
            Path dir = Files.createTempDirectory("fleetdoctor-infra-");
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir);
            EmbeddedKafka kafka;
            try {
                kafka = EmbeddedKafka.start(dir, 6);
            } catch (RuntimeException e) {
                pg.close();
                throw e;
            }
            SharedInfra infra = new SharedInfra(dir, kafka, pg);
            Runtime.getRuntime().addShutdownHook(new Thread(infra::stop, "fleetdoctor-infra-stop"));
            return infra;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stop() {
        try {
            kafka.close();
        } finally {
            try {
                postgres.close();
            } finally {
                EmbeddedKafka.deleteTree(dir.toFile());
            }
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    /** Quarkus configuration pointing a service at these servers. */
    public Map<String, String> quarkusConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        c.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        c.put("quarkus.datasource.username", postgres.user());
        c.put("quarkus.datasource.password", postgres.password());
        return c;
    }
}
