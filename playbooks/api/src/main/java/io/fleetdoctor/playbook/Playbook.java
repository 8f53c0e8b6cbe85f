package io.fleetdoctor.playbook;

import io.fleetdoctor.playbook.fix.FixBuilder;

import java.util.Collection;

/**
 * One failure mode end to end: the rule that detects it, what the analyzer's window must keep for
 * it, the fix built from the live objects with its pre-checks, and how the fix is verified, all
 * configured by one block {@code fleetdoctor.playbooks.<id>.*}. Services host playbooks and know none
 * of them; a playbook registers itself with a {@code META-INF/services/io.fleetdoctor.playbook.Playbook}
 * line and joins the build as a dependency of {@code playbooks/catalog}.
 */
public interface Playbook {

    /** The configuration block's id, e.g. {@code flannel}. */
    String id();

    /** The rule id: names its incidents and decisions, e.g. {@code flannel-iface}. */
    String ruleId();

    /** The recommendation {@code action} its fix handles, e.g. {@code flannel-iface-fix}. */
    String action();

    /** Fails with a message naming the property when the block (or a cluster's override) is invalid. */
    void validate(PlaybookConfig config, Collection<String> clusters);

    Rule rule(PlaybookConfig config);

    WindowNeeds windowNeeds(PlaybookConfig config, String cluster);

    FixBuilder fix(PlaybookConfig config, String cluster);

    Verification verification(PlaybookConfig config, String cluster);
}
