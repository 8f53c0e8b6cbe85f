package io.fleetdoctor.remediator.policy;

import io.fleetdoctor.remediator.audit.AuditLog;
import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.cluster.RegisteredCluster;
import io.fleetdoctor.remediator.config.RemediatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;

/** Reads the approval policy and the fleet guards; pauses and resumes the fleet. */
@ApplicationScoped
public class PolicyService {
    @Inject
    RemediatorConfig config;
    @Inject
    AuditLog audit;
    @Inject
    ClusterRegistry registry;

    /** The registry's class of the cluster, else the policy's mapping, else the default class. */
    public String classOf(String cluster) {
        String registered = registry.find(cluster).map(RegisteredCluster::clusterClass).orElse(null);
        if (registered != null) {
            return registered;
        }
        return config.policy().clusterClass().getOrDefault(cluster, config.policy().defaultClass());
    }

    public int approvalsFor(String cluster) {
        Integer n = config.policy().classApprovals().get(classOf(cluster));
        return Math.max(1, n == null ? config.policy().defaultApprovals() : n);
    }

    /** True when the cluster has no maintenance window or {@code now} lies inside it (UTC, may wrap midnight). */
    public boolean inMaintenanceWindow(String cluster, Instant now) {
        return inWindow(config.policy().maintenanceWindows().get(cluster), now);
    }

    /** {@code HH:mm-HH:mm} in UTC; a window whose end is before its start wraps midnight; none = always. */
    public static boolean inWindow(String w, Instant now) {
        if (w == null || w.isBlank()) {
            return true;
        }
        String[] parts = w.trim().split("-");
        LocalTime from = LocalTime.parse(parts[0].trim());
        LocalTime to = LocalTime.parse(parts[1].trim());
        LocalTime t = LocalTime.ofInstant(now, ZoneOffset.UTC);
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }

    @Transactional
    public boolean paused() {
        return FleetControl.get().paused;
    }

    @Transactional
    public void setPaused(boolean paused, String actor, String channel) {
        FleetControl c = FleetControl.lock();
        c.paused = paused;
        c.pausedBy = paused ? actor : null;
        c.pausedAt = paused ? Instant.now() : null;
        audit.record(actor, channel, paused ? "fleet:pause" : "fleet:resume", null, null, null);
    }
}
