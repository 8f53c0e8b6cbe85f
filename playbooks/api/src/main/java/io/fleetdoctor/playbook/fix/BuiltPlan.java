package io.fleetdoctor.playbook.fix;

import java.util.List;

/**
 * What the builder proposes for one cluster.
 *
 * @param needsOverride an overridable check failed or no interface is known: approval needs an iface
 * @param blockedReason a non-overridable check failed (null when none): the plan cannot be approved
 * @param owner         who manages the DaemonSets when not applied by hand (null when nobody is detected):
 *                      a live patch would be reverted, so the change belongs at that source
 */
public record BuiltPlan(List<DaemonSetChange> changes, List<PlanCheck> checks, String diff, List<String> iface,
                        String ifaceRegex, String targetImage, boolean needsOverride, String blockedReason,
                        Ownership owner) {

    /** A plan without a detected owner. */
    public static BuiltPlan of(List<DaemonSetChange> changes, List<PlanCheck> checks, List<String> iface,
                               String ifaceRegex, String targetImage) {
        return of(changes, checks, iface, ifaceRegex, targetImage, null);
    }

    /** A plan from its changes and checks: a failed overridable check needs an override, any other blocks. */
    public static BuiltPlan of(List<DaemonSetChange> changes, List<PlanCheck> checks, List<String> iface,
                               String ifaceRegex, String targetImage, Ownership owner) {
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
                targetImage, needsOverride, blocked.isEmpty() ? null : String.join("; ", blocked), owner);
    }

    /** Whether the change may be applied to the live objects (no owner would revert it). */
    public boolean liveExecutable() {
        return owner == null;
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
