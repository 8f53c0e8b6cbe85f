package io.fleetdoctor.analyzer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/**
 * {@code fleetdoctor.analyzer.*}: which playbooks' rules run and how late an event may be. Each rule's
 * thresholds live in its playbook's block {@code fleetdoctor.playbooks.<id>.*}. The same configuration is
 * read by the service and by {@code fleetdoctor replay}, so both run the same rules.
 */
@ConfigMapping(prefix = "fleetdoctor.analyzer")
public interface AnalyzerConfig {

    /** Rule ids to run (each from a playbook on the class path). */
    @WithDefault("flannel-iface,flannel-oom")
    List<String> rules();

    /** How far behind the newest event time of a cluster an event may arrive and still count. */
    @WithDefault("60s")
    Duration lateness();
}
