package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.metrics.TextMetrics;
import io.fleetdoctor.collector.publish.ProducerSignalSink;
import io.fleetdoctor.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent of the DaemonSet: plain Java, no Quarkus, CDI or Kubernetes client at run time: ~3,000 classes
 * loaded, ~60 MiB RSS against 119 MiB for the Quarkus node mode it replaced (BENCHMARKS.md, "Node agent"). Every
 * interval it runs {@link NodeAgent#tick} on one thread and sends the signals with a plain Kafka producer
 * ({@link ProducerSignalSink}); health and metrics on {@link NodeAgentHttp}. Configured by the environment
 * ({@link NodeAgentEnv}); a bad configuration exits with 2 and says why on stderr. SIGTERM (or SIGINT) flushes
 * the producer for at most {@link #CLOSE_TIMEOUT} and exits 0. In the image (the DaemonSet's command):
 * <pre>java $JAVA_OPTS -cp '/deployments/app/*:/deployments/node-agent/*' io.fleetdoctor.collector.node.NodeAgentMain</pre>
 */
public final class NodeAgentMain {
    /** Producer flush on shutdown: within the DaemonSet's terminationGracePeriodSeconds (10). */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    /** How long the start waits for the topic's metadata (with max.block.ms=0 a send without it is dropped). */
    static final Duration METADATA_WAIT = Duration.ofSeconds(10);

    private NodeAgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(System.getenv(), System.out, System.err));
    }

    /** Runs until SIGTERM or SIGINT; the exit code: 0 after a signal, 2 for a bad configuration, 1 if it cannot start. */
    static int run(Map<String, String> env, PrintStream log, PrintStream err) throws InterruptedException {
        NodeAgentEnv config;
        try {
            config = NodeAgentEnv.parse(env);
        } catch (NodeAgentEnv.Invalid e) {
            err.println("node-agent: invalid configuration:");
            e.problems().forEach(p -> err.println("  - " + p));
            return 2;
        }
        Running agent;
        try {
            agent = start(config, log);
        } catch (ConfigException e) { // a KAFKA_* value the client refuses, e.g. KAFKA_SECURITY_PROTOCOL=TLS
            err.println("node-agent: invalid configuration:");
            err.println("  - Kafka: " + e.getMessage());
            return 2;
        } catch (IOException | KafkaException e) {
            err.println("node-agent: cannot start: " + e);
            return 1;
        }
        // from here on SIGTERM/SIGINT stop the agent in order (before, the JVM's default: exit 143/130)
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        stop.await();
        agent.log.accept("INFO", "stopping: flushing signals for at most " + CLOSE_TIMEOUT.toSeconds() + " s");
        agent.close();
        return 0;
    }

    /** A started agent: ticking, serving HTTP, producing. {@link #close} stops it. */
    static final class Running implements AutoCloseable {
        final TextMetrics metrics = new TextMetrics();
        final Log log;
        final Producer<String, byte[]> producer;
        final ProducerSignalSink sink;
        final NodeAgentLoop loop;
        final ScheduledExecutorService scheduler;
        NodeAgentHttp http;

        private Running(NodeAgentEnv config, Log log) {
            this.log = log;
            NodeAgentSettings s = config.settings();
            producer = new KafkaProducer<>(ProducerSignalSink.producerConfig("collector-node-" + s.node(), config.kafka()),
                    new StringSerializer(), new ByteArraySerializer());
            sink = new ProducerSignalSink(producer, metrics, m -> log.accept("WARN", m));
            loop = new NodeAgentLoop(new NodeAgent(s, m -> log.accept("INFO", m)), sink, metrics,
                    m -> log.accept("WARN", m));
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "node-agent");
                t.setDaemon(true);
                return t;
            });
        }

        int httpPort() {
            return http.port();
        }

        @Override
        public void close() {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(CLOSE_TIMEOUT);
            if (http != null) {
                http.close();
            }
        }
    }

    /** Starts the HTTP server and the producer, waits (bounded) for the topic's metadata, then starts ticking. */
    static Running start(NodeAgentEnv config, PrintStream out) throws IOException {
        return start(config, out, METADATA_WAIT);
    }

    static Running start(NodeAgentEnv config, PrintStream out, Duration metadataWait) throws IOException {
        Log log = (level, message) -> out.printf("%s %-5s [node-agent] %s%n", Instant.now(), level, message);
        Running r = new Running(config, log);
        try {
            r.http = new NodeAgentHttp(config.httpPort(), r.loop, r.sink, r.metrics, config.interval());
            // Quarkus's wording: the local run (LocalRun.listening) waits for this line, ending with the port
            log.accept("INFO", "health /q/health, metrics /q/metrics; Listening on: http://0.0.0.0:" + r.httpPort());
            awaitMetadata(r, metadataWait);
            NodeAgentSettings s = config.settings();
            r.scheduler.scheduleAtFixedRate(r.loop, 0, config.interval().toNanos(), TimeUnit.NANOSECONDS);
            log.accept("INFO", String.format("node agent started: cluster %s node %s procfs %s sysfs %s every %s,"
                            + " Kafka %s, HTTP port %d", s.cluster(), s.node(), s.procfs(), s.sysfs(), config.interval(),
                    config.kafka().get("bootstrap.servers"), r.httpPort()));
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static void awaitMetadata(Running r, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        KafkaException last;
        do {
            try {
                r.producer.partitionsFor(Topics.SIGNALS);
                return;
            } catch (KafkaException e) {
                last = e;
            }
            try {
                Thread.sleep(100); // pacing the retries of a non-blocking call, not waiting for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.nanoTime() < deadline);
        r.log.accept("WARN", "no metadata for " + Topics.SIGNALS + " after " + wait.toMillis()
                + " ms (" + last + "): sampling starts, signals are dropped until Kafka answers");
    }

    /** One log line: level and message. */
    @FunctionalInterface
    interface Log {
        void accept(String level, String message);
    }
}
