package io.fleetdoctor.playbooks.flanneloom;

import io.fleetdoctor.playbook.Playbook;
import io.fleetdoctor.playbook.PlaybookConfig;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.playbook.WindowNeeds;
import io.fleetdoctor.playbook.fix.FixBuilder;

import java.time.Duration;
import java.util.Collection;

/** flannel-oom: flanneld OOM-killed again and again; fixed by raising its memory limit. */
public final class FlannelOomPlaybook implements Playbook {
    public static final String ID = "flannel-oom";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String ruleId() {
        return FlannelOomRule.ID;
    }

    @Override
    public String action() {
        return FlannelOomRule.ACTION;
    }

    @Override
    public void validate(PlaybookConfig config, Collection<String> clusters) {
        settings(config, null);
        clusters.forEach(c -> settings(config, c));
    }

    FlannelOomSettings settings(PlaybookConfig config, String cluster) {
        return config.settings(cluster, FlannelOomSettings::from);
    }

    @Override
    public Rule rule(PlaybookConfig config) {
        return new FlannelOomRule(cluster -> settings(config, cluster));
    }

    @Override
    public WindowNeeds windowNeeds(PlaybookConfig config, String cluster) {
        FlannelOomSettings s = settings(config, cluster);
        Duration retention = s.window().compareTo(s.resolveAfter()) >= 0 ? s.window() : s.resolveAfter();
        return WindowNeeds.basic(retention);
    }

    @Override
    public FixBuilder fix(PlaybookConfig config, String cluster) {
        return new FlannelOomFixBuilder(settings(config, cluster));
    }

    @Override
    public Verification verification(PlaybookConfig config, String cluster) {
        return new FlannelOomVerification();
    }
}
