package io.fleetdoctor.playbook.fix;

/**
 * One pre-check of a plan.
 *
 * @param overridable a failure an approver can clear by supplying the interface; a failure that is
 *                    not overridable blocks approval altogether
 */
public record PlanCheck(String name, boolean passed, boolean overridable, String detail) {
}
