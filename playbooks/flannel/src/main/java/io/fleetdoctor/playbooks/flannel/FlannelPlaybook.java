package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.Playbook;
import io.fleetdoctor.playbook.PlaybookConfig;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.playbook.WindowNeeds;
import io.fleetdoctor.playbook.fix.FixBuilder;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * flannel-iface: control-plane churn while flanneld hammers the disk on multi-NIC nodes with flannel
 * not bound to an interface; fixed by pinning the known-good image and {@code --iface}.
 * Configuration: {@code fleetdoctor.playbooks.flannel.*} (see {@link FlannelSettings}).
 */
public final class FlannelPlaybook implements Playbook {
    public static final String ID = "flannel";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String ruleId() {
        return FlannelIfaceRule.ID;
    }

    @Override
    public String action() {
        return Decision.Recommendation.FLANNEL_IFACE_FIX;
    }

    @Override
    public void validate(PlaybookConfig config, Collection<String> clusters) {
        settings(config, null);
        clusters.forEach(c -> settings(config, c));
    }

    /** The block for a cluster (null: global), parsed once. */
    public FlannelSettings settings(PlaybookConfig config, String cluster) {
        return config.settings(cluster, FlannelSettings::from);
    }

    @Override
    public Rule rule(PlaybookConfig config) {
        return new FlannelIfaceRule(cluster -> settings(config, cluster));
    }

    @Override
    public WindowNeeds windowNeeds(PlaybookConfig config, String cluster) {
        FlannelSettings f = settings(config, cluster);
        Duration retention = f.window().compareTo(f.resolveAfter()) >= 0 ? f.window() : f.resolveAfter();
        return new WindowNeeds(retention, Set.of(f.ioProcess()), f.ioBytesPerSec(), Math.max(8, f.minIoSamples()),
                FlannelLog.MARKERS);
    }

    @Override
    public FixBuilder fix(PlaybookConfig config, String cluster) {
        return new FlannelFixBuilder(settings(config, cluster));
    }

    @Override
    public Verification verification(PlaybookConfig config, String cluster) {
        return new FlannelVerification(settings(config, cluster));
    }
}
