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
}
