package io.fleetdoctor.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.fleetdoctor.events.Topics;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka 4.1 broker in KRaft mode (broker and controller in one node), run from the
 * {@code kafka_2.13} jars in a child JVM, on free loopback ports with its data in a temp directory.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;
    private final Path log;

    private EmbeddedKafka(Path dir, int port, Process process, Path log) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static EmbeddedKafka start(Path baseDir, int partitions) {
        try {
            Path dir = Files.createDirectories(baseDir.resolve("kafka"));
            int port = Ports.free();
            int controllerPort = Ports.free();
            Path props = dir.resolve("server.properties");
            Files.writeString(props, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=" + partitions,
                    "auto.create.topics.enable=true",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=3",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=168",
                    "") , StandardCharsets.UTF_8);
            Path log = dir.resolve("broker.log");
            String clusterId = Uuid.randomUuid().toString();
            Process format = childJvm("kafka.tools.StorageTool", log, "format", "-t", clusterId, "-c", props.toString());
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("Kafka storage format failed; see " + log + "\n" + tail(log));
            }
            Process broker = childJvm("kafka.Kafka", log, props.toString());
            EmbeddedKafka kafka = new EmbeddedKafka(dir, port, broker, log);
            kafka.awaitStarted(Duration.ofSeconds(120));
            kafka.createLedTopics(Duration.ofSeconds(120), Topics.SIGNALS, Topics.SIGNALS_DLQ, Topics.DECISIONS,
                    Topics.REMEDIATIONS);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Process childJvm(String mainClass, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms64m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(ParentWatchdog.class.getName());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // stdin stays a pipe owned by this JVM: ParentWatchdog exits when it closes.
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    /** The class path of this JVM, which holds the broker jars (this module depends on kafka_2.13). */
    private static String classPath() {
        String cp = System.getProperty("fleetdoctor.kafka.classpath");
        if (cp != null && !cp.isBlank()) {
            return cp;
        }
        return System.getProperty("java.class.path");
    }

    private void awaitStarted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see " + log
                        + "\n" + tail(log));
            }
            if (answers()) {
                return;
            }
            Thread.sleep(300);
        }
        close();
        throw new IllegalStateException("Kafka broker did not start within " + timeout + "; see " + log);
    }

    /**
     * Creates fleetdoctor's topics and waits until every partition has a leader. Left to auto-creation by
     * the first producer, a partition of a just-started broker was seen answering NOT_LEADER_OR_FOLLOWER
     * for over a minute (on a loaded machine), failing whichever test sent first.
     */
    private void createLedTopics(Duration timeout, String... topics) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<org.apache.kafka.clients.admin.NewTopic> wanted = new ArrayList<>();
            for (String t : topics) {
                wanted.add(new org.apache.kafka.clients.admin.NewTopic(t, java.util.Optional.empty(),
                        java.util.Optional.empty()));
            }
            try {
                admin.createTopics(wanted).all().get(timeout.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw new IllegalStateException("cannot create topics: " + e.getCause(), e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("topics not created within " + timeout + "; see " + log);
            }
            while (System.nanoTime() < deadline) {
                if (allLed(admin, List.of(topics))) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("partitions without a leader after " + timeout + "; see " + log);
    }

    private static boolean allLed(Admin admin, List<String> topics) {
        try {
            for (var d : admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values()) {
                for (var p : d.partitions()) {
                    if (p.leader() == null || p.leader().isEmpty()) {
                        return false;
                    }
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** True once the broker serves metadata: the broker logs nothing without a log4j2 binding. */
    private boolean answers() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Stops the broker as an operator would (SIGTERM: controlled shutdown), for outage tests;
     * {@link #restartBroker()} starts it again on the same ports with the same data.
     */
    public synchronized void stopBroker() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the broker stopped by {@link #stopBroker()}; returns once every fleetdoctor partition has a leader. */
    public synchronized void restartBroker() {
        if (process.isAlive()) {
            return;
        }
        try {
            process = childJvm("kafka.Kafka", log, dir.resolve("server.properties").toString());
            awaitStarted(Duration.ofSeconds(120));
            createLedTopics(Duration.ofSeconds(120), Topics.SIGNALS, Topics.SIGNALS_DLQ, Topics.DECISIONS,
                    Topics.REMEDIATIONS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return log;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: controlled shutdown
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(dir.toFile());
    }

    static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
