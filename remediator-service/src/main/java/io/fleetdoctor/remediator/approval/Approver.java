package io.fleetdoctor.remediator.approval;

import java.util.Set;

/** An authenticated person and their roles ({@code viewer}, {@code approver}, {@code admin}). */
public record Approver(String name, Set<String> roles) {
}
