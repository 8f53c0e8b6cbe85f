package io.fleetdoctor.analyzer.config;

import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.window.WindowSettings;
import io.fleetdoctor.playbook.Playbook;
import io.fleetdoctor.playbook.Playbooks;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.playbook.WindowNeeds;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * The analyzer as a host of playbooks: the enabled rules (by rule id, from the playbooks on the class
 * path) and the window each cluster needs for them. Knows no rule itself.
 */
public final class RuleRegistry {
    private final AnalyzerConfig config;
    private final Playbooks playbooks;
    private final List<Playbook> enabled = new ArrayList<>();

    /** Fails at start with the property's name when a rule id is unknown or a playbook setting is invalid. */
    public RuleRegistry(AnalyzerConfig config, Config properties) {
        this.config = config;
        positive("fleetdoctor.analyzer.max-future", config.maxFuture());
        positive("fleetdoctor.analyzer.source-idle", config.sourceIdle());
        if (config.sourceIdle().compareTo(config.maxFuture()) >= 0) {
            throw new IllegalArgumentException("fleetdoctor.analyzer.source-idle: must be less than max-future ("
                    + config.maxFuture() + "), was " + config.sourceIdle());
        }
        if (config.lateness().isNegative()) {
            throw new IllegalArgumentException("fleetdoctor.analyzer.lateness: must be >= 0, was " + config.lateness());
        }
        this.playbooks = Playbooks.fromConfig(k -> properties.getOptionalValue(k, String.class),
                properties.getPropertyNames());
        for (String id : config.rules()) {
            enabled.add(playbooks.byRule(id.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "fleetdoctor.analyzer.rules: unknown rule '" + id + "', known: " + playbooks.ruleIds())));
        }
    }

    private static void positive(String key, java.time.Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be > 0, was " + d);
        }
    }

    /** The engine with the enabled rules. */
    public AnalyzerEngine engine() {
        List<Rule> rules = new ArrayList<>();
        for (Playbook p : enabled) {
            rules.add(p.rule(playbooks.config(p)));
        }
        return new AnalyzerEngine(rules, this::window,
                new AnalyzerEngine.Limits(config.maxEvidence(), config.maxDecisionBytes()));
    }

    /** Rule ids of every playbook on the class path. */
    public List<String> knownRules() {
        return playbooks.ruleIds();
    }

    /**
     * How far back a partition's rebuild replays: the longest rule window (over the defaults and every cluster
     * with its own playbook settings) plus the lateness.
     */
    public java.time.Duration rebuildWindow(Iterable<String> propertyNames) {
        java.util.regex.Pattern perCluster = java.util.regex.Pattern.compile("^fleetdoctor\\.playbooks\\.[^.]+\\.clusters\\.(\"[^\"]+\"|[^.]+)\\..*");
        java.util.Set<String> clusters = new java.util.HashSet<>();
        clusters.add("");
        for (String name : propertyNames) {
            java.util.regex.Matcher m = perCluster.matcher(name);
            if (m.matches()) {
                clusters.add(m.group(1).replace("\"", ""));
            }
        }
        java.time.Duration longest = java.time.Duration.ZERO;
        for (String c : clusters) {
            java.time.Duration r = window(c).retention();
            longest = r.compareTo(longest) > 0 ? r : longest;
        }
        return longest.plus(config.lateness());
    }

    private WindowSettings window(String cluster) {
        WindowNeeds needs = null;
        for (Playbook p : enabled) {
            WindowNeeds n = p.windowNeeds(playbooks.config(p), cluster);
            needs = needs == null ? n : needs.merge(n);
        }
        if (needs == null) {
            needs = WindowNeeds.basic(java.time.Duration.ofMinutes(30));
        }
        return new WindowSettings(config.lateness(), config.maxFuture(), config.sourceIdle(), needs.retention(),
                needs.watchedProcesses(), needs.spikeBytesPerSec(), needs.spikeRing(), needs.logMarkers(), config.idle());
    }
}
