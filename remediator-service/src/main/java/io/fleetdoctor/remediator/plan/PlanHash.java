package io.fleetdoctor.remediator.plan;

import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.SpecJson;

import java.util.Comparator;
import java.util.List;

/**
 * The hash an approval must carry: SHA-256 over what the plan would do, that is every DaemonSet's
 * {@code namespace/name}, recorded spec hash and desired spec hash, the interface override, and the
 * owner's proposed source change. A new diff (an override) or another proposal gives another hash.
 */
public final class PlanHash {
    private PlanHash() {
    }

    public static String of(List<DaemonSetChange> changes, String ifaceOverride, String ownerManager,
                            String ownerSourceChange) {
        StringBuilder s = new StringBuilder("fleetdoctor-plan-hash-v1\n");
        changes.stream().sorted(Comparator.comparing((DaemonSetChange c) -> c.namespace()).thenComparing(DaemonSetChange::name))
                .forEach(c -> s.append("change ").append(c.namespace()).append('/').append(c.name()).append(' ')
                        .append(c.specHash()).append(' ').append(c.afterHash()).append('\n'));
        s.append("override ").append(ifaceOverride == null ? "" : ifaceOverride).append('\n');
        s.append("owner ").append(ownerManager == null ? "" : ownerManager).append('\n');
        s.append("source-change ").append(ownerSourceChange == null ? "" : ownerSourceChange).append('\n');
        return SpecJson.sha256(s.toString());
    }

    /** Recomputes the hash of a plan from its stored columns. */
    public static String of(PlanEntity p) {
        return of(PlanJson.changes(p), p.ifaceOverride, p.ownerManager, p.ownerSourceChange);
    }
}
