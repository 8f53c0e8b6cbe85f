package io.fleetdoctor.remediator.support;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.Playbook;
import io.fleetdoctor.playbook.PlaybookConfig;
import io.fleetdoctor.playbook.Rule;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.playbook.WindowNeeds;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.Ownership;
import io.fleetdoctor.playbooks.flannel.FlannelPlaybook;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Test-only playbook (action {@value #ACTION}): the flannel fix with the owner a real builder detects from
 * labels, chosen here by the namespace: {@code helm-*} → Helm, {@code k3s-*} → k3s (advice, no change).
 */
public final class ManagedTestPlaybook implements Playbook {
    public static final String ACTION = "test-managed-flannel-fix";
    public static final String HELM_VALUES = "flannel:\n  args:\n  - --ip-masq\n  - --kube-subnet-mgr\n  - --iface=eth0\n";
    public static final String K3S_ADVICE = "k3s server --flannel-iface=eth0";

    private final FlannelPlaybook flannel = new FlannelPlaybook();

    /** The seed incident's decision for {@code cluster} and {@code ns}, its fix handled by this playbook. */
    public static CloudEvent<Decision> decision(String cluster, String ns) {
        CloudEvent<Decision> e = Fixtures.decision(UUID.randomUUID().toString(), cluster, ns, "open", List.of("eth0"), 2);
        Decision d = e.data();
        Decision.Recommendation r = d.recommendation();
        Decision.Recommendation managed = new Decision.Recommendation(ACTION, r.namespace(), r.daemonSets(), r.container(),
                r.currentImage(), r.targetImage(), r.iface(), r.ifaceRegex(), r.nodesWithoutInventory());
        return CloudEvent.of(e.id(), e.source(), e.time(), cluster, null, new Decision(d.incidentId(), d.rule(),
                d.status(), d.severity(), d.confidence(), d.summary(), d.evidence(), managed));
    }

    private static PlaybookConfig flannelConfig() {
        return new PlaybookConfig(FlannelPlaybook.ID, k -> ConfigProvider.getConfig().getOptionalValue(k, String.class));
    }

    @Override
    public String id() {
        return "test-managed";
    }

    @Override
    public String ruleId() {
        return "test-managed";
    }

    @Override
    public String action() {
        return ACTION;
    }

    @Override
    public void validate(PlaybookConfig config, Collection<String> clusters) {
    }

    @Override
    public Rule rule(PlaybookConfig config) {
        return flannel.rule(flannelConfig());
    }

    @Override
    public WindowNeeds windowNeeds(PlaybookConfig config, String cluster) {
        return flannel.windowNeeds(flannelConfig(), cluster);
    }

    @Override
    public FixBuilder fix(PlaybookConfig config, String cluster) {
        FixBuilder real = flannel.fix(flannelConfig(), cluster);
        return new FixBuilder() {
            @Override
            public BuiltPlan build(Input in) {
                String ns = in.recommendation().namespace();
                if (ns.startsWith("k3s-")) {
                    return BuiltPlan.of(List.of(), List.of(), List.of("eth0"), null, null,
                            new Ownership("k3s", "node label node.kubernetes.io/instance-type=k3s", K3S_ADVICE));
                }
                BuiltPlan b = real.build(in);
                Optional<Ownership> owner = ns.startsWith("helm-")
                        ? Optional.of(new Ownership("helm", "app.kubernetes.io/managed-by=Helm", HELM_VALUES))
                        : Optional.empty();
                return BuiltPlan.of(b.changes(), b.checks(), b.iface(), b.ifaceRegex(), b.targetImage(),
                        owner.orElse(null));
            }

            @Override
            public void validateOverride(String override) {
                real.validateOverride(override);
            }
        };
    }

    @Override
    public Verification verification(PlaybookConfig config, String cluster) {
        return flannel.verification(flannelConfig(), cluster);
    }
}
