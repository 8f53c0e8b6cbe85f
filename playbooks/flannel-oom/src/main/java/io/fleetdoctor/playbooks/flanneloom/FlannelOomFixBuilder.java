package io.fleetdoctor.playbooks.flanneloom;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.PlanCheck;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.playbooks.flannel.FlannelSpec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The flannel-oom fix: the flanneld container's memory limit doubled, capped at
 * {@code max-memory-limit}; nothing else changes. Refused when the container has no memory limit (its
 * OOM kills then come from the node, which a limit cannot fix) or the limit is already at the cap.
 */
public final class FlannelOomFixBuilder implements FixBuilder {
    private static final BigDecimal MI = BigDecimal.valueOf(1024L * 1024);

    private final FlannelOomSettings settings;

    public FlannelOomFixBuilder(FlannelOomSettings settings) {
        this.settings = settings;
    }

    @Override
    public void validateOverride(String override) {
        throw new IllegalArgumentException("flannel-oom plans take no override");
    }

    @Override
    public BuiltPlan build(Input in) {
        Recommendation rec = in.recommendation();
        List<PlanCheck> checks = new ArrayList<>();
        List<DaemonSetChange> changes = new ArrayList<>();
        BigDecimal cap = Quantity.getAmountInBytes(settings.maxMemoryLimit());
        for (LiveDaemonSet ds : in.daemonSets()) {
            String ref = ds.namespace() + "/" + ds.name();
            if (ds.spec() == null) {
                checks.add(new PlanCheck("daemonset-found", false, false, "DaemonSet " + ref + " not found"));
                continue;
            }
            DaemonSetSpec after = SpecJson.copy(ds.spec());
            Container c = FlannelSpec.flanneldContainer(after.getTemplate().getSpec().getContainers(), rec.container());
            if (c == null) {
                checks.add(new PlanCheck("flanneld-container-found", false, false, "no flanneld container in " + ref));
                continue;
            }
            Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
                    : c.getResources().getLimits().get("memory");
            if (limit == null) {
                checks.add(new PlanCheck("memory-limit-set", false, false, c.getName() + " in " + ref
                        + " has no memory limit: its OOM kills come from the node's memory pressure, not a limit"));
                continue;
            }
            BigDecimal current = Quantity.getAmountInBytes(limit);
            if (current.compareTo(cap) >= 0) {
                checks.add(new PlanCheck("below-max-memory-limit", false, false, c.getName() + " in " + ref
                        + " already has " + limit + ", at or above the cap " + settings.maxMemoryLimit()));
                continue;
            }
            BigDecimal doubled = current.multiply(BigDecimal.valueOf(2));
            Quantity target = doubled.compareTo(cap) >= 0 ? settings.maxMemoryLimit() : quantity(doubled);
            checks.add(new PlanCheck("memory-limit-raised", true, false, c.getName() + " in " + ref + ": memory limit "
                    + limit + " → " + target + " (cap " + settings.maxMemoryLimit() + ")"));
            ResourceRequirements r = c.getResources();
            Map<String, Quantity> limits = new HashMap<>(r.getLimits());
            limits.put("memory", target);
            r.setLimits(limits);
            changes.add(DaemonSetChange.of(ds, after));
        }
        if (in.daemonSets().isEmpty()) {
            checks.add(new PlanCheck("daemonset-found", false, false, "the recommendation names no DaemonSet"));
        }
        return BuiltPlan.of(changes, checks, List.of(), null, null);
    }

    /** Whole mebibytes as {@code NMi}, anything else in bytes. */
    static Quantity quantity(BigDecimal bytes) {
        BigDecimal[] mi = bytes.divideAndRemainder(MI);
        return mi[1].signum() == 0 ? new Quantity(mi[0].toBigInteger() + "Mi")
                : new Quantity(bytes.toBigInteger().toString());
    }
}
