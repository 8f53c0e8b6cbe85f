package io.fleetdoctor.analyzer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/**
 * {@code fleetdoctor.analyzer.*}: which playbooks' rules run and how late, or early, an event may be. Each rule's
 * thresholds live in its playbook's block {@code fleetdoctor.playbooks.<id>.*}. The same configuration is
 * read by the service and by {@code fleetdoctor replay}, so both run the same rules.
 */
@ConfigMapping(prefix = "fleetdoctor.analyzer")
public interface AnalyzerConfig {

    /** Rule ids to run (each from a playbook on the class path). */
    @WithDefault("flannel-iface,flannel-oom")
    List<String> rules();

    /** How far behind the newest event time of its source an event may arrive and still count. */
    @WithDefault("60s")
    Duration lateness();

    /**
     * How far ahead an event's time may be: of the analyzer's wall clock (the service) and of what its
     * cluster's other sources say (service and replay). An event further ahead goes to the dead-letter
     * topic (replay: reported and skipped). A source more than this behind its cluster's clock does not
     * count for that clock.
     */
    @WithDefault("5m")
    Duration maxFuture();

    /**
     * A source not heard while another source of its cluster moved on this much (in its own time) stops
     * counting for the cluster's clock until it is heard again. Must be less than {@code max-future}.
     */
    @WithDefault("2m")
    Duration sourceIdle();

    /**
     * A node or container not heard for this long (its cluster's time), or a cluster not heard for this long
     * (the analyzer's clock) without an open incident, is dropped from memory. At least twice the longest
     * rule window (smaller values are raised to that).
     */
    @WithDefault("1h")
    Duration idle();

    /** Evidence items one decision carries at most; the summary says how many were left out. */
    @WithDefault("50")
    int maxEvidence();

    /** Encoded size of one decision at most (the broker's default record limit is 1 MB). */
    @WithDefault("262144")
    int maxDecisionBytes();

    /**
     * How far back (by record timestamp) an analyzer replays a partition it is assigned, to rebuild the windows of
     * its clusters. Default: the longest rule window plus the lateness.
     */
    java.util.Optional<Duration> rebuildWindow();

    /**
     * Threads that work on one batch of signals, each on the clusters whose record key hashes to it (so a cluster's
     * signals keep their order). Default: the number of processors the JVM sees.
     */
    java.util.Optional<Integer> ingestThreads();

    /** A signal record larger than this is dead-lettered undecoded. */
    @WithDefault("524288")
    int maxRecordBytes();
}
