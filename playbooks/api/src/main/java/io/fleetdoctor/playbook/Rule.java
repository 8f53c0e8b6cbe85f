package io.fleetdoctor.playbook;

import java.time.Duration;
import java.time.Instant;

/**
 * A correlation rule: pure, deterministic, no I/O, no clock. Called for the cluster an event touched,
 * with the window's current event time.
 */
public interface Rule {

    /** The id that enables the rule in config and names its incidents, e.g. {@code flannel-iface}. */
    String id();

    Finding evaluate(ClusterView view, Instant eventTime);

    /** How long (event time) the conditions must stay false before an open incident resolves. */
    default Duration resolveAfter(String cluster) {
        return Duration.ofMinutes(30);
    }
}
