package io.fleetdoctor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.EmbeddedKafka;
import io.fleetdoctor.infra.EmbeddedPostgresServer;
import io.fleetdoctor.infra.ParentWatchdog;
import io.fleetdoctor.infra.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./fleetdoctor bench}: numbers, not assertions. One run on the real embedded Kafka broker and PostgreSQL:
 * <ol>
 *   <li>throughput on one pre-filled topic: a plain consumer that only reads (the broker's limit here) vs the
 *   packaged analyzer service (child JVM, fresh consumer group) until its committed offsets reach the end;</li>
 *   <li>detection latency under a steady background load: completing signal produced → decision read on
 *   {@code fleetdoctor.decisions};</li>
 *   <li>state: live heap of the analyzer (after a full GC) before and after a large fleet, per node;</li>
 *   <li>node agent: NodeAgentMain sampling this machine's /proc, shipped flags vs the previous ones, side by side over
 *   the whole run.</li>
 * </ol>
 * The last line is a one-line summary with {@code ratio <analyzer ÷ plain consumer>}.
 */
public final class FleetBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Line of seed-incident.jsonl (0-based) that opens the incident: the third kube-controller-manager restart. */
    static final int COMPLETING_LINE = 314;
    private static final int PARTITIONS = 6;

    /**
     * The lean node agent's JVM flags as shipped in k8s/base/node-agent/daemonset.yaml (JAVA_OPTS, with MALLOC_ARENA_MAX=2
     * from the image): serial GC, 16 MiB heap with a 2 MiB young generation, C1 only on hot code, small stacks, code
     * cache and string table, native heap trimmed every 5 s, and only the JDK modules the agent uses.
     */
    static final String AGENT_FLAGS = "-XX:+UseSerialGC -Xms4m -Xmx16m -Xmn2m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
            + " -Xss256k -XX:MaxMetaspaceSize=48m -XX:ReservedCodeCacheSize=16m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
            + " -XX:CompileThresholdScaling=20 -XX:StringTableSize=4096 -XX:TrimNativeHeapInterval=5000 -XX:-UsePerfData"
            + " -XX:+ExitOnOutOfMemoryError --limit-modules java.base,java.logging,java.management,java.security.jgss,"
            + "java.security.sasl,jdk.crypto.ec,jdk.unsupported,jdk.httpserver,java.sql,java.xml,java.desktop";
    /**
     * The baseline: the flags the DaemonSet shipped before the lean agent, for the Quarkus collector in node mode (119 MiB in
     * the last run that had it, BENCHMARKS.md); that mode is gone, so the lean agent runs with them.
     */
    static final String AGENT_FLAGS_BEFORE = "-XX:+UseSerialGC -Xms8m -Xmx40m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
            + " -Xss256k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=16m -XX:TieredStopAtLevel=1"
            + " -XX:CICompilerCount=1 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError";
    /**
     * What the container limits made the JVM see before (256Mi / 250m; the 128Mi of now changes nothing next to -Xmx16m);
     * both agents get it.
     */
    static final String AGENT_CONTAINER = "-XX:MaxRAM=256m -XX:ActiveProcessorCount=1";
    /**
     * The analyzer's collector as shipped (analyzer-service's Dockerfile.jvm JAVA_OPTS); the heap is the bench's
     * (-Xmx3g: the state phase holds a million nodes). Another for an experiment: -Dfleetdoctor.bench.analyzer-gc=.
     */
    static final String ANALYZER_GC = "-XX:+UseG1GC";

    record Options(int clusters, int nodes, long signals, int rate, int incidents, int nearMisses,
                   int stateClusters, int stateNodes, int agentProcesses, boolean quick, Path root, List<String> phases,
                   double rateCap) {
    }

    private final Options opt;
    private final PrintStream out = System.out;
    private final Path work;
    private final List<Process> children = new ArrayList<>();
    private final Map<String, String> summary = new LinkedHashMap<>();
    private EmbeddedKafka kafka;
    private EmbeddedPostgresServer postgres;
    private AgentPhase agents;

    private FleetBench(Options opt, Path work) {
        this.opt = opt;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Options opt = parse(args);
        Path work = Files.createTempDirectory("fleetdoctor-bench-");
        FleetBench b = new FleetBench(opt, work);
        int rc = 0;
        try {
            b.run();
        } catch (Exception e) {
            System.out.println("bench failed: " + e);
            e.printStackTrace();
            rc = 1;
        } finally {
            b.close();
        }
        System.exit(rc);
    }

    static Options parse(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        int clusters = quick ? 200 : 1000;
        int nodes = 50;
        long signals = quick ? 300_000 : 2_000_000;
        int rate = quick ? 20_000 : 50_000;
        int incidents = quick ? 50 : 200;
        int nearMisses = -1;
        int stateClusters = quick ? 1000 : 10_000;
        int stateNodes = 100;
        int agentProcesses = 500;
        List<String> phases = List.of("throughput", "latency", "state", "agent");
        double rateCap = 0.5;
        Path root = Path.of(System.getProperty("fleetdoctor.root", ".")).toAbsolutePath().normalize();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--clusters" -> clusters = Integer.parseInt(v);
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--signals" -> signals = Long.parseLong(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--incidents" -> incidents = Integer.parseInt(v);
                case "--near-misses" -> nearMisses = Integer.parseInt(v);
                case "--state-clusters" -> stateClusters = Integer.parseInt(v);
                case "--state-nodes" -> stateNodes = Integer.parseInt(v);
                case "--agent-processes" -> agentProcesses = Integer.parseInt(v);
                case "--phases" -> phases = List.of(v.split(","));
                case "--rate-cap" -> rateCap = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (nearMisses < 0) {
            nearMisses = Math.max(1, incidents / 4);
        }
        return new Options(clusters, nodes, signals, rate, incidents, nearMisses, stateClusters, stateNodes,
                agentProcesses, quick, root, phases, rateCap);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        out.printf(Locale.ROOT, "fleetdoctor bench%s: %s; nproc %d; JDK %s; memory %s; load average at start %s%n",
                opt.quick ? " --quick" : "", Instant.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), memTotal(), loadAverage());
        kafka = EmbeddedKafka.start(work, PARTITIONS);
        postgres = EmbeddedPostgresServer.start(work);
        out.printf(Locale.ROOT, "infra: Kafka %s (%d partitions), PostgreSQL %s%n", kafka.bootstrapServers(), PARTITIONS,
                postgres.jdbcUrl());

        // node agents first: they run (and are measured) through the whole run, side by side
        if (opt.phases.contains("agent")) {
            agents = new AgentPhase();
            agents.start();
        }

        // 1. throughput
        FleetGenerator fleet = new FleetGenerator("fleet", opt.clusters, opt.nodes);
        IncidentTemplate template = new IncidentTemplate(COMPLETING_LINE);
        long produced = prefill(fleet, template);
        Rates plainRates = plainConsumer(produced);
        Child analyzer = startAnalyzer();
        Rates analyzerRates = analyzerThroughput(analyzer, produced);
        double plain = plainRates.warm();
        double analyzerRate = analyzerRates.warm();
        double ratio = analyzerRate / plain;
        double coldRatio = analyzerRates.whole() / plainRates.whole();
        out.printf(Locale.ROOT, "throughput, whole topic (each from its first record or commit, cold JVM): plain consumer"
                + " %,.0f signals/s; analyzer %,.0f signals/s; ratio %.2f%n", plainRates.whole(), analyzerRates.whole(), coldRatio);
        out.printf(Locale.ROOT, "throughput, after the first %.0f %% of the topic (both warm): plain consumer %,.0f signals/s;"
                + " analyzer %,.0f signals/s; ratio %.2f; CPU per record: plain consumer %.2f µs, analyzer %.2f µs%n",
                WARM_UP_SHARE * 100, plain, analyzerRate, ratio, plainRates.warmCpuMicros(), analyzerRates.warmCpuMicros());
        summary.put("cpu per record", String.format(Locale.ROOT, "plain %.2f µs, analyzer %.2f µs",
                plainRates.warmCpuMicros(), analyzerRates.warmCpuMicros()));
        summary.put("ratio", String.format(Locale.ROOT, "%.2f", ratio));
        summary.put("analyzer", String.format(Locale.ROOT, "%,.0f/s", analyzerRate));
        summary.put("plain", String.format(Locale.ROOT, "%,.0f/s", plain));
        summary.put("cold ratio", String.format(Locale.ROOT, "%.2f (analyzer %,.0f/s, plain %,.0f/s)", coldRatio,
                analyzerRates.whole(), plainRates.whole()));
        checkPrefillDecisions();
        String jfr = System.getProperty("fleetdoctor.bench.jfr");
        if (jfr != null) {
            jcmd(analyzer, "JFR.dump", "filename=" + jfr);
            out.println("analyzer profile of the throughput phase: " + jfr);
        }

        // 2. latency
        if (opt.phases.contains("latency")) {
            latency(fleet, template, analyzer, analyzerRate);
        }

        // 3. state
        if (opt.phases.contains("state")) {
            state(analyzer);
        }

        // 4. node agents
        if (agents != null) {
            agents.report();
        }

        out.printf(Locale.ROOT, "run took %.0f s; load average at end %s%n", (System.nanoTime() - start) / 1e9, loadAverage());
        StringBuilder s = new StringBuilder("summary:");
        summary.forEach((k, v) -> s.append(' ').append(k).append(' ').append(v).append(';'));
        s.setLength(s.length() - 1);
        out.println(s);
    }

    // ------------------------------------------------------------------ 1. throughput

    /**
     * Fills {@code fleetdoctor.signals} with at least {@code signals} records: the fleet's setup, then 10 s ticks
     * ending now; interleaved, the incident trace (to its completing line) of {@code incidents} clusters
     * {@code inc-<k>} and the whole near-miss trace of {@code near-<k>}, spread evenly over the stream.
     */
    private long prefill(FleetGenerator fleet, IncidentTemplate template) throws Exception {
        long t0 = System.nanoTime();
        long ticks = Math.max(1, (long) Math.ceil((opt.signals - fleet.clusters() * (fleet.nodes() + 5.0)) / fleet.signalsPerTick()));
        Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant first = end.minusSeconds(10 * ticks);
        // incident traces: completing line at the fleet's last tick, so every line is in the past
        List<List<FleetGenerator.Rec>> traces = new ArrayList<>();
        for (int k = 0; k < opt.incidents; k++) {
            traces.add(template.instantiate("inc-" + k, end, false, 0, template.completing));
        }
        for (int k = 0; k < opt.nearMisses; k++) {
            traces.add(template.instantiate("near-" + k, end, true, 0, template.size() - 1));
        }
        AtomicLong count = new AtomicLong();
        try (KafkaProducer<String, byte[]> p = producer(50, 512 * 1024)) {
            java.util.function.Consumer<FleetGenerator.Rec> send = r -> {
                p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
                count.incrementAndGet();
            };
            fleet.setup(first.minusSeconds(10), send);
            for (long t = 0; t < ticks; t++) {
                fleet.tick(t, first.plusSeconds(10 * t), send);
                // the traces' lines in step: after tick t, every trace is (t+1)/ticks through
                for (List<FleetGenerator.Rec> trace : traces) {
                    int upTo = (int) ((t + 1) * trace.size() / ticks);
                    int from = (int) (t * trace.size() / ticks);
                    for (int i = from; i < upTo; i++) {
                        send.accept(trace.get(i));
                    }
                }
            }
            p.flush();
        }
        long n = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "prefill: %,d signals (%d clusters x %d nodes, %d ticks of 10 s; %d incidents, %d near misses"
                        + " interleaved) in %.1f s; on the topic: %,d%n", count.get(), fleet.clusters(), fleet.nodes(), ticks,
                opt.incidents, opt.nearMisses, (System.nanoTime() - t0) / 1e9, n);
        return n;
    }

    /**
     * Share of the topic both readers are given to warm up before the warm rate is taken: a deployed analyzer runs
     * for days, so its JIT compilation (~6 CPU-s of C2 in a fresh JVM here, on 2 cores) and the first-sight work
     * per cluster (playbook settings) are start-up costs; both rates are printed.
     */
    static final double WARM_UP_SHARE = 0.25;

    /**
     * A reader's rate over the whole topic and over the part after {@link #WARM_UP_SHARE}, and its CPU time per
     * record over that part (less sensitive than a rate to what else runs on this shared machine).
     */
    record Rates(double whole, double warm, double warmCpuMicros) {
    }

    /**
     * Reads the whole topic in a fresh group, touching only the bytes; records ÷ (last poll − first record), and
     * the same from the poll that passed {@link #WARM_UP_SHARE} of the topic.
     */
    private Rates plainConsumer(long total) {
        Map<String, Object> c = consumerConfig("bench-plain");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.SIGNALS));
            long n = 0;
            long bytes = 0;
            long first = 0;
            long warmAt = 0;
            long warmN = 0;
            // the classic consumer does its fetching in the thread that polls: this thread's CPU is the reader's
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long warmCpu = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (n < total && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> rs = consumer.poll(Duration.ofMillis(500));
                if (first == 0 && !rs.isEmpty()) {
                    first = System.nanoTime();
                }
                if (warmAt == 0 && n >= total * WARM_UP_SHARE) {
                    warmAt = System.nanoTime();
                    warmN = n;
                    warmCpu = threads.getCurrentThreadCpuTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : rs) {
                    bytes += r.value().length + (r.key() == null ? 0 : r.key().length);
                    n++;
                }
            }
            long end = System.nanoTime();
            double cpuMicros = (threads.getCurrentThreadCpuTime() - warmCpu) / 1e3 / (n - warmN);
            double s = (end - first) / 1e9;
            double warm = (n - warmN) / ((end - warmAt) / 1e9);
            out.printf(Locale.ROOT, "plain consumer: %,d records (%,d MiB) in %.2f s: %,.0f records/s; after the first %,d:"
                    + " %,.0f records/s, %.2f CPU-µs per record (its polling thread)%n", n, bytes >> 20, s, n / s, warmN,
                    warm, cpuMicros);
            return new Rates(n / s, warm, cpuMicros);
        }
    }

    /**
     * The analyzer consumes the topic from the start (its group is fresh). Measured from its first commit to
     * the commit that reaches the end: (end − first committed) ÷ time, so start-up is left out; and the same from the
     * first commit past {@link #WARM_UP_SHARE} of the topic (warm). It commits every 100 ms here (auto.commit.interval.ms; the default 5 s would blur the end).
     */
    private Rates analyzerThroughput(Child analyzer, long total) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(opt.quick ? 4 : 15);
        long firstAt = 0;
        long firstOffset = 0;
        long warmAt = 0;
        long warmOffset = 0;
        long warmTicks = 0;
        long last = -1;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                analyzer.checkAlive();
                long committed = committed(admin, "bench-analyzer");
                long now = System.nanoTime();
                if (committed > 0 && firstAt == 0) {
                    firstAt = now;
                    firstOffset = committed;
                }
                if (warmAt == 0 && committed >= total * WARM_UP_SHARE) {
                    warmAt = now;
                    warmOffset = committed;
                    warmTicks = cpuTicks(analyzer.process.pid())[0];
                }
                if (committed != last) {
                    last = committed;
                }
                if (committed >= total) {
                    double s = (now - firstAt) / 1e9;
                    double rate = (total - firstOffset) / s;
                    double warm = (total - warmOffset) / ((now - warmAt) / 1e9);
                    // clock ticks of 10 ms (USER_HZ 100 on Linux): every thread of the JVM, JIT and GC included
                    double cpuMicros = (cpuTicks(analyzer.process.pid())[0] - warmTicks) * 10_000.0 / (total - warmOffset);
                    out.printf(Locale.ROOT, "analyzer: %,d records from its first commit (%,d) to the end in %.2f s:"
                            + " %,.0f records/s; from the commit past the first %,d: %,.0f records/s, %.2f CPU-µs per record"
                            + " (the whole JVM)%n", total - firstOffset, firstOffset, s, rate, warmOffset, warm, cpuMicros);
                    return new Rates(rate, warm, cpuMicros);
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the analyzer did not reach the end of the topic (committed " + last + " of " + total
                + "); see " + analyzer.log);
    }

    /** The prefill's incidents must each be opened once, its near misses never. */
    private void checkPrefillDecisions() throws Exception {
        Map<String, Integer> opens = readDecisions(Duration.ofSeconds(opt.quick ? 5 : 10), opt.incidents);
        int once = 0;
        int wrong = 0;
        for (int k = 0; k < opt.incidents; k++) {
            if (opens.getOrDefault("inc-" + k, 0) == 1) {
                once++;
            }
        }
        for (var e : opens.entrySet()) {
            if (e.getKey().startsWith("near-") || e.getKey().startsWith("fleet-")) {
                wrong += e.getValue();
            }
        }
        out.printf(Locale.ROOT, "throughput run decisions: %d of %d incidents opened once; %d decisions on near misses"
                + " or healthy clusters%n", once, opt.incidents, wrong);
    }

    /** Open decisions per cluster on the decisions topic (from its start), reading until {@code expected} or the timeout. */
    private Map<String, Integer> readDecisions(Duration timeout, int expected) throws Exception {
        Map<String, Integer> opens = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(null), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = partitions(c, Topics.DECISIONS);
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            int total = 0;
            while (System.nanoTime() < deadline && total < expected) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode d = JSON.readTree(r.value());
                    if ("open".equals(d.path("data").path("status").asText())) {
                        opens.merge(d.path("cluster").asText(), 1, Integer::sum);
                        total++;
                    }
                }
            }
            // whatever else is already there (a second open would show here)
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                JsonNode d = JSON.readTree(r.value());
                if ("open".equals(d.path("data").path("status").asText())) {
                    opens.merge(d.path("cluster").asText(), 1, Integer::sum);
                }
            }
        }
        return opens;
    }

    // ------------------------------------------------------------------ 2. latency

    /**
     * Background: the fleet's process-io and heartbeats at {@code rate} signals/s (capped at {@code --rate-cap}, default
     * 50 %, of the analyzer's throughput measured in this run: on this shared machine 80 % left a growing backlog,
     * whose wait the latency then measured), event time = now. Meanwhile
     * clusters {@code lat-<k>} get their incident trace up to the completing line and {@code latnear-<k>} their near
     * miss; then, one every {@code 100 ms}, each incident's completing signal is produced (linger 0) and the
     * time until its decision is read on fleetdoctor.decisions is taken.
     */
    private void latency(FleetGenerator fleet, IncidentTemplate template, Child analyzer, double analyzerRate) throws Exception {
        int rate = (int) Math.min(opt.rate, analyzerRate * opt.rateCap);
        int k = opt.incidents;
        Duration spacing = Duration.ofMillis(100);
        Instant injectStart = Instant.now().plusSeconds(5);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> decidedAt = new ConcurrentHashMap<>();
        Map<String, Integer> opens = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong bgSent = new AtomicLong();

        // decisions reader: from the current end of the topic
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(null), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> tps = partitions(c, Topics.DECISIONS);
                c.assign(tps);
                c.seekToEnd(tps);
                tps.forEach(c::position);
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        JsonNode d = JSON.readTree(r.value());
                        String cluster = d.path("cluster").asText();
                        if ("open".equals(d.path("data").path("status").asText())) {
                            opens.merge(cluster, 1, Integer::sum);
                            decidedAt.putIfAbsent(cluster, now);
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "decisions-reader");
        reader.start();

        // background load
        Thread background = new Thread(() -> {
            try (KafkaProducer<String, byte[]> p = producer(5, 256 * 1024)) {
                long t0 = System.nanoTime();
                long tick = 0;
                int c = 0;
                int n = 0;
                long sent = 0;
                while (!stop.get()) {
                    long due = (long) ((System.nanoTime() - t0) / 1e9 * rate);
                    if (sent >= due) {
                        Thread.sleep(2);
                        continue;
                    }
                    String time = Instant.now().toString();
                    for (; sent < due; sent++) {
                        String cluster = fleet.cluster(c);
                        FleetGenerator.Rec r = n < fleet.nodes() ? fleet.processIo(cluster, n, time, tick)
                                : fleet.heartbeat(cluster, null, time);
                        p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
                        if (++n > fleet.nodes()) {
                            n = 0;
                            if (++c == fleet.clusters()) {
                                c = 0;
                                tick++;
                            }
                        }
                    }
                    bgSent.set(sent);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "background-load");
        background.start();

        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> p = producer(0, 64 * 1024)) {
            // the traces up to (not including) the completing line; their event times end just before injection
            for (int i = 0; i < k; i++) {
                Instant at = injectStart.plus(spacing.multipliedBy(i));
                for (FleetGenerator.Rec r : template.instantiate("lat-" + i, at, false, 0, template.completing - 1)) {
                    p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
                }
            }
            for (int i = 0; i < opt.nearMisses; i++) {
                for (FleetGenerator.Rec r : template.instantiate("latnear-" + i, injectStart.plus(spacing.multipliedBy(i)),
                        true, 0, template.size() - 1)) {
                    p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
                }
            }
            p.flush();
            // the traces are a burst on top of the background: inject once the analyzer has caught up with it,
            // or the latency measured is that of the backlog (the completing signals' event times stay as
            // planned, a little in the past: within the lateness allowance)
            long waitFrom = System.nanoTime();
            long caughtUp = Math.max(2_000, rate / 10);
            try (Admin admin = admin()) {
                while (System.nanoTime() - waitFrom < TimeUnit.SECONDS.toNanos(40)) {
                    long lag = endOffsets(admin).values().stream().mapToLong(Long::longValue).sum() - committed(admin, "bench-analyzer");
                    if (lag <= caughtUp && Instant.now().isAfter(injectStart)) {
                        break;
                    }
                    Thread.sleep(100);
                }
            }
            out.printf(Locale.ROOT, "latency: %,d trace records produced; the analyzer caught up %.1f s later%n",
                    (long) k * template.completing + (long) opt.nearMisses * template.size(), (System.nanoTime() - waitFrom) / 1e9);
            long injectFrom = System.nanoTime();
            for (int i = 0; i < k; i++) {
                Instant at = injectStart.plus(spacing.multipliedBy(i));
                long due = injectFrom + spacing.toNanos() * i;
                while (System.nanoTime() < due) {
                    Thread.sleep(1);
                }
                FleetGenerator.Rec r = template.instantiate("lat-" + i, at, false, template.completing, template.completing).get(0);
                sentAt.put(r.key(), System.nanoTime());
                p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
            }
            p.flush();
        }
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < waitUntil && decidedAt.keySet().stream().filter(s -> s.startsWith("lat-")).count() < k) {
            Thread.sleep(100);
        }
        double bgSeconds = (System.nanoTime() - t0) / 1e9;
        long bg = bgSent.get();
        Thread.sleep(2000); // a second decision of the same incident would come now
        stop.set(true);
        background.join();
        reader.join();

        List<Long> lat = new ArrayList<>();
        int once = 0;
        int before = 0;
        for (int i = 0; i < k; i++) {
            String cl = "lat-" + i;
            Long d = decidedAt.get(cl);
            if (d != null) {
                long l = d - sentAt.get(cl);
                if (l < 0) {
                    before++;
                }
                lat.add(l);
            }
            if (opens.getOrDefault(cl, 0) == 1) {
                once++;
            }
        }
        int nearDetected = 0;
        for (int i = 0; i < opt.nearMisses; i++) {
            nearDetected += opens.getOrDefault("latnear-" + i, 0);
        }
        lat.sort(Long::compare);
        long lag;
        try (Admin admin = admin()) {
            lag = endOffsets().values().stream().mapToLong(Long::longValue).sum() - committed(admin, "bench-analyzer");
        }
        out.printf(Locale.ROOT, "latency: background %,.0f signals/s sustained (target %,d/s, capped at %,d/s = %.0f%% of the"
                        + " analyzer's throughput) for %.0f s; analyzer lag at the end %,d records%n",
                bg / bgSeconds, opt.rate, rate, opt.rateCap * 100, bgSeconds, lag);
        if (lat.isEmpty()) {
            out.printf(Locale.ROOT, "latency: no decision for any of %d incidents%n", k);
            summary.put("latency", "none detected");
            return;
        }
        out.printf(Locale.ROOT, "latency: %d incidents, %d detected, %d detected once, %d near misses detected%s;"
                        + " completing signal produced -> decision read: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                k, lat.size(), once, nearDetected, before > 0 ? "; " + before + " decided BEFORE their completing signal" : "",
                pct(lat, 50), pct(lat, 99), lat.get(lat.size() - 1) / 1e6);
        summary.put("latency p50/p99/max", String.format(Locale.ROOT, "%.0f/%.0f/%.0f ms at %,.0f/s", pct(lat, 50),
                pct(lat, 99), lat.get(lat.size() - 1) / 1e6, bg / bgSeconds));
        summary.put("detected once", once + "/" + k + ", near misses detected " + nearDetected);
    }

    private static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    // ------------------------------------------------------------------ 3. state

    /**
     * Live heap of the analyzer (jcmd GC.class_histogram: a full GC, then what is reachable) before and after a
     * fleet of {@code stateClusters × stateNodes} (inventory, config, baselines and 3 process-io samples per node)
     * has gone through the service: the difference per node.
     */
    private void state(Child analyzer) throws Exception {
        long total0 = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        long before = liveHeap(analyzer);
        FleetGenerator big = new FleetGenerator("state", opt.stateClusters, opt.stateNodes);
        long t0 = System.nanoTime();
        long n = 0;
        try (KafkaProducer<String, byte[]> p = producer(50, 512 * 1024)) {
            AtomicLong count = new AtomicLong();
            java.util.function.Consumer<FleetGenerator.Rec> send = r -> {
                p.send(new ProducerRecord<>(Topics.SIGNALS, r.key(), r.value()));
                count.incrementAndGet();
            };
            Instant t = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            big.setup(t, send);
            for (int s = 1; s <= 3; s++) {
                Instant ts = t.plusSeconds(10L * s);
                String time = ts.toString();
                for (int c = 0; c < big.clusters(); c++) {
                    for (int i = 0; i < big.nodes(); i++) {
                        send.accept(big.processIo(big.cluster(c), i, time, s));
                    }
                }
            }
            p.flush();
            n = count.get();
        }
        long total = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        try (Admin admin = admin()) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(opt.quick ? 2 : 20);
            while (committed(admin, "bench-analyzer") < total && System.nanoTime() < deadline) {
                analyzer.checkAlive();
                Thread.sleep(200);
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        long after = liveHeap(analyzer);
        long nodes = (long) opt.stateClusters * opt.stateNodes;
        long perNode = (after - before) / nodes;
        long trackedNodes = nodes + (long) opt.clusters * opt.nodes;
        out.printf(Locale.ROOT, "state: %,d clusters x %d nodes (%,d signals, %,d before on the topic) through the analyzer in"
                        + " %.0f s; live heap %,d MiB -> %,d MiB after a full GC: %,d bytes per node (%,d bytes per node over all"
                        + " %,d tracked nodes)%n", opt.stateClusters, opt.stateNodes, n, total0, s, before >> 20, after >> 20,
                perNode, after / trackedNodes, trackedNodes);
        summary.put("state", String.format(Locale.ROOT, "%,d bytes/node", perNode));
    }

    /** Bytes reachable in the analyzer after a full GC ({@code jcmd <pid> GC.class_histogram}'s Total line). */
    private long liveHeap(Child c) throws Exception {
        String text = jcmd(c, "GC.class_histogram");
        Files.writeString(work.resolve("histogram-" + System.currentTimeMillis() + ".txt"), text);
        for (String line : text.split("\n")) {
            if (line.startsWith("Total")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        throw new IllegalStateException("no histogram from jcmd: " + text);
    }

    private static String jcmd(Child c, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(c.process.pid())));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    // ------------------------------------------------------------------ 4. node agent

    /**
     * Two node agents (NodeAgentMain) on this machine's /proc (10 s interval), measured from warm-up to the end: with the
     * shipped flags and with the flags shipped before it.
     */
    private final class AgentPhase {
        private final List<Process> sleepers = java.util.Collections.synchronizedList(new ArrayList<>());
        /** The fewest processes seen on the machine after the warm-up (the top-up loop looks every 2 s). */
        private volatile int fewest = Integer.MAX_VALUE;
        private volatile boolean closed;
        private Child tuned;
        private Child before;
        private long[] tunedAt;
        private long[] beforeAt;
        private volatile long warmAt;
        private long startedAt;

        /** Start-up and first samples are not the steady state. */
        private long warmupMillis() {
            return opt.quick ? 25_000 : 45_000;
        }

        /** The agents are measured at least this long after warm-up, however short the other phases are. */
        private long minMeasureMillis() {
            return opt.quick ? 120_000 : 300_000;
        }

        /** Other processes come and go on a shared machine: top up until there are enough, with some to spare. */
        private void topUp() throws IOException {
            for (int round = 0; round < 5 && !closed && processCount() < opt.agentProcesses + 40 && sleepers.size() < 5000;
                 round++) {
                for (int i = processCount(); i < opt.agentProcesses + 60; i++) {
                    sleepers.add(new ProcessBuilder("sleep", "7200").redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
                }
            }
        }

        void start() throws IOException {
            topUp();
            out.printf(Locale.ROOT, "node agents: %d processes on this machine (%d sleeping ones started)%n", processCount(),
                    sleepers.size());
            startedAt = System.nanoTime();
            tuned = startAgent("agent-shipped", AGENT_FLAGS + " " + AGENT_CONTAINER);
            before = startAgent("agent-before", AGENT_FLAGS_BEFORE + " " + AGENT_CONTAINER);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(warmupMillis());
                    warmAt = System.nanoTime();
                    tunedAt = cpuTicks(tuned.process.pid());
                    beforeAt = cpuTicks(before.process.pid());
                    // the agents sample every 10 s: keep the machine at the process count through the measurement
                    while (!closed) {
                        fewest = Math.min(fewest, processCount());
                        topUp();
                        Thread.sleep(2_000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    out.println("node agents: warm-up reading or top-up failed: " + e);
                }
            }, "agent-warmup");
            t.setDaemon(true);
            t.start();
        }

        private Child startAgent(String name, String flags) throws IOException {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("FLEETDOCTOR_COLLECTOR_HTTP_PORT", Integer.toString(Ports.free()));
            env.put("FLEETDOCTOR_COLLECTOR_MODE", "node");
            env.put("FLEETDOCTOR_COLLECTOR_CLUSTER_ID", "bench-agent");
            env.put("NODE_NAME", name);
            env.put("HOST_IP", "127.0.0.1");
            env.put("FLEETDOCTOR_COLLECTOR_INTERVAL", "10s");
            env.put("MALLOC_ARENA_MAX", "2"); // both: the image's setting (glibc's per-thread arenas, bounded)
            List<String> cmd = new ArrayList<>();
            cmd.add(java());
            cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
            // the DaemonSet's class path: /deployments/app/* and /deployments/node-agent/*
            Path collector = opt.root.resolve("collector-service/target");
            cmd.addAll(List.of("-cp", collector.resolve("quarkus-app/app/*") + ":" + collector.resolve("node-agent/*")
                    + ":" + watchdogClasses(), ParentWatchdog.class.getName(), "io.fleetdoctor.collector.node.NodeAgentMain"));
            return spawn(name, cmd, env);
        }

        void report() throws Exception {
            long left = warmupMillis() + minMeasureMillis() - (System.nanoTime() - startedAt) / 1_000_000;
            if (left > 0) { // a measurement window, not a condition: the agents run at their 10 s interval meanwhile
                out.printf(Locale.ROOT, "node agents: measuring %.0f s more (at least %.0f min after the warm-up)%n",
                        left / 1e3, minMeasureMillis() / 60e3);
                Thread.sleep(left + 1_000);
            }
            if (warmAt == 0) {
                out.println("node agents: not measured (the run was shorter than their warm-up)");
                return;
            }
            double minutes = (System.nanoTime() - warmAt) / 60e9;
            String a = line("shipped flags", tuned, tunedAt, minutes);
            String b = line("previous flags", before, beforeAt, minutes);
            out.printf(Locale.ROOT, "node agent (%d processes, at least %d during the measurement, 10 s interval, %.1f min"
                    + " measured after warm-up): %s; baseline %s%n", processCount(), fewest, minutes, a, b);
            out.printf(Locale.ROOT, "node agent (NodeAgentMain) flags: shipped [%s]; previous [%s]; both with MALLOC_ARENA_MAX=2 and [%s]"
                            + " (the container limits)%n",
                    AGENT_FLAGS, AGENT_FLAGS_BEFORE, AGENT_CONTAINER);
            summary.put("agent", a + " (baseline: " + b + ")");
        }

        private String line(String what, Child c, long[] at, double minutes) throws IOException {
            c.checkAlive();
            long[] now = cpuTicks(c.process.pid());
            double cpuSeconds = (now[0] - at[0]) / 100.0; // USER_HZ
            return String.format(Locale.ROOT, "%s %.2f CPU-s/min, RSS %d MiB", what, cpuSeconds / minutes, rssKib(c.process.pid()) >> 10);
        }

        void close() {
            closed = true;
            sleepers.forEach(Process::destroy);
        }
    }

    /** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
    static long[] cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(f[11]) + Long.parseLong(f[12])};
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static int processCount() {
        String[] names = Path.of("/proc").toFile().list();
        int n = 0;
        for (String s : names == null ? new String[0] : names) {
            if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ children, Kafka helpers

    private Child startAnalyzer() throws Exception {
        Path app = opt.root.resolve("analyzer-service/target/quarkus-app/quarkus-run.jar");
        int port = Ports.free();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("QUARKUS_PROFILE", "local");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + (opt.quick ? "1g" : "3g"),
                System.getProperty("fleetdoctor.bench.analyzer-gc", ANALYZER_GC),
                // a fresh group, committing often enough to time the end of the topic
                "-Dmp.messaging.incoming.signals.group.id=bench-analyzer",
                "-Dmp.messaging.incoming.signals.auto.commit.interval.ms=100"));
        String jfr = System.getProperty("fleetdoctor.bench.jfr");
        if (jfr != null) {
            cmd.add("-XX:StartFlightRecording=settings=profile");
        }
        // experiments with the analyzer's JVM flags: java -Dfleetdoctor.bench.analyzer-opts='-XX:...' ... FleetBench
        String extra = System.getProperty("fleetdoctor.bench.analyzer-opts", "").strip();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
            out.println("analyzer JVM options added: " + extra);
        }
        cmd.addAll(List.of("-cp", app + ":" + watchdogClasses(), ParentWatchdog.class.getName(),
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint"));
        long t0 = System.nanoTime();
        Child c = spawn("analyzer", cmd, env);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            c.checkAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    out.printf(Locale.ROOT, "analyzer service: pid %d ready in %.1f s (packaged quarkus-app, child JVM)%n",
                            c.process.pid(), (System.nanoTime() - t0) / 1e9);
                    return c;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the analyzer did not become ready; see " + c.log);
    }

    private final class Child {
        final Process process;
        final Path log;

        Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited with " + process.exitValue() + "; see " + log);
            }
        }
    }

    private Child spawn(String name, List<String> cmd, Map<String, String> env) throws IOException {
        Path log = work.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // closes when we die: the child's watchdog exits
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        children.add(p);
        return new Child(p, log);
    }

    private static String watchdogClasses() {
        try {
            return Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private KafkaProducer<String, byte[]> producer(int lingerMs, int batchSize) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private Map<String, Object> consumerConfig(String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        }
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the analyzer's setting (mp.messaging.incoming.signals.max.poll.records)
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return c;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo pi : c.partitionsFor(topic)) {
            tps.add(new TopicPartition(topic, pi.partition()));
        }
        return tps;
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = admin()) {
            return endOffsets(admin);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (var d : admin.describeTopics(List.of(Topics.SIGNALS)).allTopicNames().get().values()) {
            d.partitions().forEach(p -> req.put(new TopicPartition(Topics.SIGNALS, p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(req).all().get().forEach((tp, r) -> out.put(tp, r.offset()));
        return out;
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        long sum = 0;
        for (var e : m.entrySet()) {
            if (e.getKey().topic().equals(Topics.SIGNALS) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return (Long.parseLong(l.replaceAll("[^0-9]", "")) >> 20) + " GiB";
                }
            }
        } catch (IOException e) {
            // below
        }
        return "?";
    }

    private void close() {
        if (agents != null) {
            agents.close();
        }
        for (Process p : children) {
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
