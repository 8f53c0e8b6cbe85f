package io.fleetdoctor.remediator.wave;

/** States of a canary wave. */
public enum WaveState {
    /** Members are released wave by wave as the ones before them succeed. */
    RUNNING,
    /** Every member ended; each released one SUCCEEDED (unreleased ones that ended on their own were skipped). */
    COMPLETED,
    /** A released member ended other than SUCCEEDED: no further member is released, ever. */
    HALTED
}
