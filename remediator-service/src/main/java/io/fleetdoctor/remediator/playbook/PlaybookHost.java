package io.fleetdoctor.remediator.playbook;

import io.fleetdoctor.playbook.Playbook;
import io.fleetdoctor.playbook.Playbooks;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Optional;

/**
 * The remediator as a host of playbooks: a recommendation's {@code action} selects the playbook whose
 * fix builds the plan, a plan's rule selects how it is verified. Each playbook reads its own block
 * {@code fleetdoctor.playbooks.<id>.*}, the same the analyzer reads; a bad value fails start-up.
 */
@ApplicationScoped
@Startup
public class PlaybookHost {
    private final Playbooks playbooks;

    public PlaybookHost() {
        Config c = ConfigProvider.getConfig();
        playbooks = Playbooks.fromConfig(k -> c.getOptionalValue(k, String.class), c.getPropertyNames());
    }

    /** The playbook that fixes this action, if any. */
    public Optional<Playbook> forAction(String action) {
        return action == null ? Optional.empty() : playbooks.byAction(action);
    }

    /** The fix of an action for a cluster; IllegalArgumentException when no playbook handles it. */
    public FixBuilder fix(String action, String cluster) {
        Playbook p = forAction(action).orElseThrow(() -> new IllegalArgumentException("no playbook fixes '" + action + "'"));
        return p.fix(playbooks.config(p), cluster);
    }

    /** How plans of this rule are verified, or empty when no playbook has the rule. */
    public Optional<Verification> verification(String rule, String cluster) {
        return playbooks.byRule(rule).map(p -> p.verification(playbooks.config(p), cluster));
    }
}
