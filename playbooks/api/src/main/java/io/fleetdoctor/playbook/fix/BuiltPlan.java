package io.fleetdoctor.playbook.fix;

import java.util.List;

/**
 * What the builder proposes for one cluster.
 *
 * @param needsOverride an overridable check failed or no interface is known: approval needs an iface
 * @param blockedReason a non-overridable check failed (null when none): the plan cannot be approved
 */
public record BuiltPlan(List<DaemonSetChange> changes, List<PlanCheck> checks, String diff, List<String> iface,
                        String ifaceRegex, String targetImage, boolean needsOverride, String blockedReason) {

    /** A plan from its changes and checks: a failed overridable check needs an override, any other blocks. */
    public static BuiltPlan of(List<DaemonSetChange> changes, List<PlanCheck> checks, List<String> iface,
                               String ifaceRegex, String targetImage) {
        StringBuilder diff = new StringBuilder();
        changes.forEach(c -> diff.append(c.diff()));
        boolean needsOverride = false;
        List<String> blocked = new java.util.ArrayList<>();
        for (PlanCheck c : checks) {
            if (!c.passed()) {
                if (c.overridable()) {
                    needsOverride = true;
                } else {
                    blocked.add(c.name() + ": " + c.detail());
                }
            }
        }
        return new BuiltPlan(List.copyOf(changes), List.copyOf(checks), diff.toString(), List.copyOf(iface), ifaceRegex,
                targetImage, needsOverride, blocked.isEmpty() ? null : String.join("; ", blocked));
    }

    public boolean changesAnything() {
        for (DaemonSetChange c : changes) {
            if (!c.specHash().equals(c.afterHash())) {
                return true;
            }
        }
        return false;
    }
}
