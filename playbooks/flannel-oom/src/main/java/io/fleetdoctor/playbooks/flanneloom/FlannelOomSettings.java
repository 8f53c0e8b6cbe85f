package io.fleetdoctor.playbooks.flanneloom;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fleetdoctor.playbook.PlaybookConfig;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The block {@code fleetdoctor.playbooks.flannel-oom.*} for one cluster.
 *
 * @param window         event-time window in which OOM kills are counted
 * @param minOomKills    OOM-killed restarts of flannel on one node within the window
 * @param maxMemoryLimit the fix doubles the memory limit, never above this
 * @param resolveAfter   no OOM kill this long (event time) → resolved
 */
public record FlannelOomSettings(Duration window, int minOomKills, Quantity maxMemoryLimit, Duration resolveAfter) {

    public FlannelOomSettings {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel-oom.window must be > 0");
        }
        if (minOomKills < 1) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel-oom.min-oom-kills must be >= 1");
        }
        if (Quantity.getAmountInBytes(maxMemoryLimit).compareTo(BigDecimal.ZERO) <= 0) {
            throw new IllegalArgumentException("fleetdoctor.playbooks.flannel-oom.max-memory-limit must be > 0");
        }
    }

    public static FlannelOomSettings from(PlaybookConfig c, String cluster) {
        Quantity max;
        String raw = c.string("max-memory-limit", cluster, "512Mi");
        try {
            max = Quantity.parse(raw);
            Quantity.getAmountInBytes(max);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(c.name("max-memory-limit") + ": '" + raw + "' is not a quantity", e);
        }
        return new FlannelOomSettings(c.duration("window", cluster, Duration.ofMinutes(30)),
                c.integer("min-oom-kills", cluster, 3), max, c.duration("resolve-after", cluster, Duration.ofMinutes(30)));
    }
}
