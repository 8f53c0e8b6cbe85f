package io.fleetdoctor.remediator.execution;

import java.util.Set;

/**
 * What holds approved plans back before {@link PlanScheduler} starts them: canary waves
 * ({@code wave.WaveAdvancer}). An interface here so that execution does not depend on the wave package, which
 * depends on approvals.
 */
public interface StartHold {
    /** Moves the holds on each tick, before plans start (e.g. releases a wave's next members); own transactions. */
    void advance();

    /** Ids of APPROVED plans that must not start yet; in the caller's transaction. */
    Set<String> heldPlanIds();
}
