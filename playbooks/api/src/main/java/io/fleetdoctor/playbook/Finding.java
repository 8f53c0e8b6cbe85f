package io.fleetdoctor.playbook;

import io.fleetdoctor.events.Decision;

import java.util.List;

/**
 * What a rule concluded for a cluster at one event time: its conditions hold ({@code firing}) or not.
 * A firing finding carries what a decision needs; a non-firing one says which condition failed.
 */
public record Finding(String rule, boolean firing, String severity, double confidence, String summary,
                      List<Decision.Evidence> evidence, Decision.Recommendation recommendation) {

    /** A window or delay as people write it in a summary: {@code 1h}, {@code 30m}, {@code 45s}. */
    public static String span(java.time.Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    public static Finding quiet(String rule, String why) {
        return new Finding(rule, false, "info", 0, why, List.of(), null);
    }
}
