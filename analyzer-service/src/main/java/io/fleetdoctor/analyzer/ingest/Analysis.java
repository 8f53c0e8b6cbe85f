package io.fleetdoctor.analyzer.ingest;

import io.fleetdoctor.analyzer.config.AnalyzerConfig;
import io.fleetdoctor.analyzer.config.RuleRegistry;
import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.analyzer.incident.IncidentService;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.InvalidEventException;
import io.fleetdoctor.events.Remediation;
import io.fleetdoctor.outbox.StoreWait;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The analyzer's pipeline: decode and validate, feed the engine, store what it decides (with the
 * decisions to publish in the outbox, sent after the commit). Per signal it only touches memory;
 * the database and the broker see incident changes, which are rare.
 */
@ApplicationScoped
public class Analysis {
    private static final Logger LOG = Logger.getLogger(Analysis.class);

    private final AnalyzerEngine engine;
    private final Map<EventType, Counter> consumed = new EnumMap<>(EventType.class);
    private final Map<String, Instant> reported = new HashMap<>();

    @Inject
    IncidentService incidents;
    @Inject
    DeadLetters deadLetters;
    private final Counter skipped;
    private final StoreWait storeWait;
    private final int maxRecordBytes;
    private final java.time.Duration idle;
    private final java.time.Duration rebuildWindow;

    @Inject
    public Analysis(AnalyzerConfig config, MeterRegistry registry, javax.sql.DataSource dataSource) {
        this.storeWait = new StoreWait(dataSource, 5);
        org.eclipse.microprofile.config.Config properties = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        RuleRegistry rules = new RuleRegistry(config, properties);
        this.engine = rules.engine();
        this.rebuildWindow = config.rebuildWindow().orElseGet(() -> rules.rebuildWindow(properties.getPropertyNames()));
        if (rebuildWindow.isNegative()) {
            throw new IllegalArgumentException("fleetdoctor.analyzer.rebuild-window: must be >= 0, was " + rebuildWindow);
        }
        this.maxRecordBytes = config.maxRecordBytes();
        this.idle = config.idle();
        for (String kind : List.of("cluster", "node", "container")) {
            FunctionCounter.builder("fleetdoctor.window.evicted", engine, en -> en.evicted(kind)).tag("kind", kind)
                    .description("Window state dropped after fleetdoctor.analyzer.idle without a signal").register(registry);
        }
        FunctionCounter.builder("fleetdoctor.decisions.evidence.left.out", engine, AnalyzerEngine::evidenceLeftOut)
                .description("Evidence items left out of decisions by max-evidence / max-decision-bytes").register(registry);
        this.skipped = Counter.builder("fleetdoctor.changes.skipped").description("Incident changes not stored because"
                + " the database refused them while answering (each is logged with SKIPPED)").register(registry);
        for (EventType t : EventType.values()) {
            if (t.isSignal()) {
                consumed.put(t, Counter.builder("fleetdoctor.signals.consumed").tag("type", t.id())
                        .description("Signals consumed, by CloudEvent type").register(registry));
            }
        }
        Gauge.builder("fleetdoctor.window.entries", engine, AnalyzerEngine::stateEntries)
                .description("Entries held in the event-time windows").register(registry);
        Gauge.builder("fleetdoctor.window.clusters", engine, AnalyzerEngine::clusterCount)
                .description("Clusters with a window").register(registry);
        Gauge.builder("fleetdoctor.signals.late", engine, AnalyzerEngine::lateEvents)
                .description("Signals dropped for arriving later than the lateness allowance").register(registry);
        Gauge.builder("fleetdoctor.signals.duplicate", engine, AnalyzerEngine::duplicateEvents)
                .description("Signals ignored as redelivered duplicates").register(registry);
        FunctionCounter.builder("fleetdoctor.signals.ahead", engine, AnalyzerEngine::aheadOfAnalyzerEvents)
                .tag("clock", "analyzer").description("Signals dead-lettered for a time more than max-future ahead"
                        + " of the analyzer's clock, or (clock=cluster) of what their cluster's other sources say")
                .register(registry);
        FunctionCounter.builder("fleetdoctor.signals.ahead", engine, AnalyzerEngine::aheadOfClusterEvents)
                .tag("clock", "cluster").description("Signals dead-lettered for a time more than max-future ahead"
                        + " of the analyzer's clock, or (clock=cluster) of what their cluster's other sources say")
                .register(registry);
    }

    /** A record checked as a signal: the event, or why it is not one (the reason it is dead-lettered). */
    private record Checked(CloudEvent<?> event, String reason) {
    }

    private Checked check(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null || r.value().length == 0) {
            return new Checked(null, "empty record");
        }
        if (r.value().length > maxRecordBytes) {
            return new Checked(null, "record of " + r.value().length + " bytes exceeds max-record-bytes " + maxRecordBytes);
        }
        CloudEvent<?> e;
        try {
            e = EventCodec.decode(r.value());
        } catch (InvalidEventException ex) {
            return new Checked(null, ex.getMessage());
        } catch (RuntimeException ex) {
            // the codec's contract is InvalidEventException; anything else is a codec bug, the record still goes
            return new Checked(null, "undecodable: " + ex);
        }
        if (!e.type().isSignal()) {
            return new Checked(null, "type: " + e.type().id() + " is not a signal");
        }
        if (r.key() != null && !r.key().equals(e.cluster())) {
            return new Checked(null, "cluster: record key '" + r.key() + "' differs from cluster '" + e.cluster() + "'");
        }
        return new Checked(e, null);
    }

    public void signal(ConsumerRecord<String, byte[]> r) {
        Checked c = check(r);
        if (c.event() == null) {
            deadLetters.send(r, c.reason());
            return;
        }
        CloudEvent<?> e = c.event();
        consumed.get(e.type()).increment();
        AnalyzerEngine.Intake intake;
        try {
            intake = engine.offer(e, Instant.now());
        } catch (RuntimeException ex) {
            // a bug must not stop the partition: keep the record where an operator finds it
            LOG.errorf(ex, "engine failed on %s", e.id());
            deadLetters.send(r, "processing failed: " + ex);
            return;
        }
        if (intake.outcome() == AnalyzerEngine.Outcome.AHEAD) {
            deadLetters.send(r, intake.reason());
            return;
        }
        handle(intake.outputs());
    }

    // ------------------------------------------------------------------ partition rebuild (see PartitionRebuild)

    /**
     * Replays a record the previous owner of its partition already handled into its cluster's window, without
     * evaluating the rules and without dead-lettering (a bad record was dead-lettered when first consumed).
     * The max-future bound is checked against the record's timestamp, as when it was first consumed.
     * Returns the event when its cluster's window took it, or null when it did not count.
     */
    public CloudEvent<?> replay(ConsumerRecord<String, byte[]> r) {
        Checked c = check(r);
        if (c.event() == null) {
            return null;
        }
        try {
            Instant at = r.timestamp() >= 0 ? Instant.ofEpochMilli(r.timestamp()) : Instant.now();
            return engine.rebuild(c.event(), at).outcome() == AnalyzerEngine.Outcome.APPLIED ? c.event() : null;
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "engine failed on %s while rebuilding", c.event().id());
            return null;
        }
    }

    /** How far back a partition's rebuild replays (see {@code fleetdoctor.analyzer.rebuild-window}). */
    public java.time.Duration rebuildWindow() {
        return rebuildWindow;
    }

    /** Drops the windows and incidents held for the clusters matching {@code which}; returns how many clusters. */
    public int dropClusters(java.util.function.Predicate<String> which) {
        return engine.drop(which);
    }

    /** Adopts the open incidents stored for the clusters matching {@code which} (waits out a database outage). */
    public int adoptOpenIncidents(java.util.function.Predicate<String> which) {
        List<IncidentService.OpenIncident> open = storeWait.call("adopting open incidents",
                () -> incidents.openIncidents(which));
        for (IncidentService.OpenIncident o : open) {
            engine.adoptOpen(o.cluster(), o.rule(), o.incidentId(), o.lastTrue(), o.seq(), o.severity(),
                    o.confidence(), o.recommendation(), o.evidence());
        }
        return open.size();
    }

    /**
     * Evaluates each rebuilt cluster once, as if its last replayed signal had just arrived, and stores what differs
     * from the stored state (adopted incidents): a replay equal to it stores and sends nothing. Returns the changes
     * stored.
     */
    public int evaluateRebuilt(Map<String, String> lastSignalByCluster) {
        int n = 0;
        for (Map.Entry<String, String> e : lastSignalByCluster.entrySet()) {
            List<EngineOutput> outputs = engine.evaluateCluster(e.getKey(), e.getValue());
            handle(outputs);
            n += outputs.size();
        }
        return n;
    }

    public void remediation(ConsumerRecord<String, byte[]> r) {
        try {
            CloudEvent<?> e = EventCodec.decode(r.value());
            if (e.data() instanceof Remediation rem && "SUCCEEDED".equals(rem.state())) {
                // stored before anything else: the remediations topic is assigned apart from the signals, so the
                // analyzer holding this incident may be another one; it resolves it in resolveRemediated
                try {
                    storeWait.call("remediation of " + rem.incidentId(),
                            () -> incidents.markRemediated(rem.incidentId(), e.time()));
                } catch (StoreWait.Refused ex) {
                    skipped.increment();
                    LOG.errorf(ex.getCause(), "SKIPPED %s; not stored (fleetdoctor_changes_skipped_total)",
                            ex.getMessage());
                }
                handle(engine.remediationSucceeded(e.cluster(), rem.incidentId(), e.time()));
            }
        } catch (InvalidEventException ex) {
            LOG.warnf("ignored remediation record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), ex.getMessage());
        }
    }

    private void handle(List<EngineOutput> outputs) {
        for (EngineOutput o : outputs) {
            if (store(o)) {
                LOG.infof("%s %s %s: %s", o.decision().status(), o.cluster(), o.decision().incidentId(),
                        o.decision().summary());
            }
        }
    }

    /**
     * Stores an incident change. While the database is away this waits (the consumer stops, Kafka keeps
     * the records, readiness says DOWN) and retries until it is back: no change is acknowledged unstored.
     * Only a change the database refuses while it answers (a poison: a bug or a constraint) is given up,
     * after 5 tries, counted and logged; the engine holds the incident as it is.
     */
    private boolean store(EngineOutput o) {
        try {
            return storeWait.call(o.kind() + " of " + o.decision().incidentId(), () -> incidents.apply(o));
        } catch (StoreWait.Refused e) {
            skipped.increment();
            LOG.errorf(e.getCause(), "SKIPPED %s; the change is not stored (fleetdoctor_changes_skipped_total)",
                    e.getMessage());
            return false;
        }
    }

    /** Since when a change waits for the database (null when none does): readiness is DOWN meanwhile. */
    public Instant outageSince() {
        return storeWait.outageSince();
    }

    /**
     * Resolves the open incidents this analyzer holds whose remediation succeeded while another analyzer consumed
     * it, or before this one adopted them after a rebalance (see {@link #remediation}).
     */
    @Scheduled(every = "${fleetdoctor.analyzer.remediated-sweep:5s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resolveRemediated() {
        List<IncidentService.Remediated> remediated;
        try {
            remediated = incidents.remediatedOpen();
        } catch (RuntimeException e) {
            LOG.debugf("remediated incidents not read (%s); the next sweep retries", e.toString());
            return;
        }
        for (IncidentService.Remediated r : remediated) {
            if (engine.holdsOpen(r.cluster(), r.incidentId())) {
                LOG.infof("%s %s: remediation succeeded (consumed before this analyzer held it)", r.cluster(),
                        r.incidentId());
                handle(engine.remediationSucceeded(r.cluster(), r.incidentId(), r.at()));
            }
        }
    }

    /** Drops the windows of clusters gone quiet (see {@code fleetdoctor.analyzer.idle}). */
    @Scheduled(every = "1m", delay = 1, delayUnit = java.util.concurrent.TimeUnit.MINUTES)
    void evictIdleClusters() {
        int n = engine.evictIdle(Instant.now(), idle);
        if (n > 0) {
            LOG.infof("dropped the windows of %d clusters without a signal for %s", n, idle);
        }
    }

    /** Clusters seen and their clock (see {@code ClusterState.now()}), written in batches, never per signal. */
    @Scheduled(every = "${fleetdoctor.analyzer.cluster-seen-flush:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flushClustersSeen() {
        Map<String, Instant> changed = new HashMap<>();
        engine.watermarks().forEach((c, t) -> {
            if (!t.equals(reported.get(c))) {
                changed.put(c, t);
            }
        });
        if (!changed.isEmpty()) {
            try {
                incidents.recordClustersSeen(changed);
                reported.putAll(changed);
            } catch (RuntimeException e) {
                // kept in memory: the next flush writes it
                LOG.debugf("clusters seen not written (%s); the next flush retries", e.toString());
            }
        }
    }

    public Map<String, Instant> liveWatermarks() {
        return engine.watermarks();
    }
}
