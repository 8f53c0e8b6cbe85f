package io.fleetdoctor.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded broker and database on their own until the process is stopped, for trying
 * a single service by hand ({@code ./fleetdoctor up} starts them in-process instead). Writes their addresses as {@code KEY=value} lines to the file named by the
 * first argument, once both are ready, so the launcher can start the services against them.
 */
public final class InfraMain {
    private InfraMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        SharedInfra infra = SharedInfra.get();
        StringBuilder env = new StringBuilder();
        env.append("KAFKA_BOOTSTRAP_SERVERS=").append(infra.kafka().bootstrapServers()).append('\n');
        for (Map.Entry<String, String> e : infra.quarkusConfig().entrySet()) {
            if (e.getKey().startsWith("quarkus.datasource")) {
                env.append(e.getKey().toUpperCase().replace('.', '_').replace('-', '_'))
                        .append('=').append(e.getValue()).append('\n');
            }
        }
        System.out.println("kafka    " + infra.kafka().bootstrapServers());
        System.out.println("postgres " + infra.postgres().jdbcUrl());
        if (args.length > 0) {
            Path out = Path.of(args[0]);
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmp, env.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        new CountDownLatch(1).await();
    }
}
