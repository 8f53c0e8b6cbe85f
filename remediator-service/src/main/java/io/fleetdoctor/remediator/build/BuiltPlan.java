package io.fleetdoctor.remediator.build;

import java.util.List;

/**
 * What the builder proposes for one cluster.
 *
 * @param needsOverride an overridable check failed or no interface is known: approval needs an iface
 * @param blockedReason a non-overridable check failed (null when none): the plan cannot be approved
 */
public record BuiltPlan(List<DaemonSetChange> changes, List<PlanCheck> checks, String diff, List<String> iface,
                        String ifaceRegex, String targetImage, boolean needsOverride, String blockedReason) {

    public boolean changesAnything() {
        for (DaemonSetChange c : changes) {
            if (!c.specHash().equals(c.afterHash())) {
                return true;
            }
        }
        return false;
    }
}
