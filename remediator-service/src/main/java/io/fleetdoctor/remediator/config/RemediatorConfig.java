package io.fleetdoctor.remediator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every tunable of the remediator; defaults live here and in application.properties. */
@ConfigMapping(prefix = "fleetdoctor.remediator")
public interface RemediatorConfig {

    Policy policy();

    Execution execution();

    Fleet fleet();

    Storm storm();

    Silences silences();

    Wave wave();

    /** Deprecated: cluster id → kubeconfig context; use {@code fleetdoctor.clusters."<id>".context}. */
    Map<String, String> kubeContexts();

    /** Base URL of the service for people (links in notifications), e.g. https://remediator.example.org. */
    Optional<String> publicUrl();

    /** This instance's name in plan leases (default: hostname + random suffix, see {@code PlanLease}). */
    Optional<String> instanceId();

    interface Policy {
        /** Approvals required for a cluster whose class has no entry in {@link #classApprovals()}. */
        @WithDefault("1")
        int defaultApprovals();

        /** Cluster class → distinct approvals required (application.properties sets prod=2). */
        Map<String, Integer> classApprovals();

        /** Cluster id → class (e.g. prod); unlisted clusters have class {@link #defaultClass()}. */
        Map<String, String> clusterClass();

        @WithDefault("default")
        String defaultClass();

        /** A plan not approved and started within this time expires. */
        @WithDefault("PT24H")
        Duration expiry();

        /** Plans executing or verifying at once across the fleet. */
        @WithDefault("1")
        int maxExecuting();

        /** After a remediation of a cluster ends, no other starts there for this long. */
        @WithDefault("PT30M")
        Duration cooldown();

        /** Cluster id → daily UTC window {@code HH:mm-HH:mm} in which execution may start (none = any time). */
        Map<String, String> maintenanceWindows();
    }

    interface Execution {
        /** How often the scheduler expires, starts and verifies plans. */
        @WithDefault("2s")
        String poll();

        @WithDefault("PT10M")
        Duration rolloutTimeout();

        @WithDefault("PT2S")
        Duration rolloutPoll();

        @WithDefault("PT10M")
        Duration verifyWindow();

        /**
         * How long a plan's lease lasts without renewal (renewed every {@link #poll()}): after this, another
         * instance takes the plan over and resumes it. Must be well above poll.
         */
        @WithDefault("PT30S")
        Duration lease();
    }

    /** The fleet view: which collectors report (fleet.Heartbeats, fleet.FleetStatus). */
    interface Fleet {
        /** A collector or node agent without a heartbeat for this long is shown and counted as stale. */
        @WithDefault("PT2M")
        Duration staleAfter();

        /** How often received heartbeats are written (in one batch). */
        @WithDefault("5s")
        String heartbeatFlush();

        /** How often the gauges fleetdoctor_collectors_* and fleetdoctor_plans are recomputed from the database. */
        @WithDefault("30s")
        String gaugeRefresh();
    }

    /** Storm guard: one rule opening on more than {@code clusters} clusters within {@code window} pauses that rule. */
    interface Storm {
        @WithDefault("3")
        int clusters();

        /** Per rule, overrides {@link #clusters()} (a noisy rule may need more). */
        Map<String, Integer> ruleClusters();

        @WithDefault("PT10M")
        Duration window();
    }

    interface Silences {
        /** The longest silence an approver may set. */
        @WithDefault("P7D")
        Duration maxDuration();

        /** The silence's owner is told this long before it ends (Slack: each cluster's channel, or the admin channel). */
        @WithDefault("PT15M")
        Duration noticeBefore();

        @WithDefault("30s")
        String check();
    }

    /** Canary waves (wave.WaveService): the canary plan first, then waves of this many plans. */
    interface Wave {
        /** Plans per wave after the canary when a wave is created without {@code waveSize}. */
        @WithDefault("5")
        int defaultSize();
    }
}
