package io.fleetdoctor.remediator.build;

/**
 * The exact before/after of one DaemonSet's spec, as recorded when the plan was built.
 *
 * @param resourceVersion the live object's resourceVersion when the plan was built
 * @param specHash        hash of the canonical JSON of {@code before}; execution compares the live spec with it
 * @param afterHash       hash of {@code after}; a live spec with this hash is already remediated
 * @param before          JSON of the recorded {@code spec}
 * @param after           JSON of the desired {@code spec}
 */
public record DaemonSetChange(String namespace, String name, String resourceVersion, String specHash,
                              String afterHash, String before, String after, String diff) {
}
