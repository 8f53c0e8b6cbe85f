package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.remediator.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a decision may ask for, checked against the DaemonSets as listed (no Quarkus, no cluster). */
class DecisionGuardTest {
    static final DecisionGuard GUARD = new DecisionGuard(k -> Optional.ofNullable(Map.of(
            "fleetdoctor.playbooks.flannel.known-good-version", "v0.13.0").get(k)));

    static DaemonSet flannel(String ns, String name) {
        DaemonSet ds = Fixtures.fixtureDaemonSet();
        ds.getMetadata().setNamespace(ns);
        ds.getMetadata().setName(name);
        return ds;
    }

    static Recommendation rec(String ns, List<String> names, String container, String current, String target,
                              List<String> iface, String regex) {
        return new Recommendation(Recommendation.FLANNEL_IFACE_FIX, ns, names, container, current, target, iface, regex,
                List.of());
    }

    static List<String> refusals(Recommendation r, DaemonSet... all) {
        return GUARD.refusals("c1", r, List.of(all));
    }

    @Test
    void theSeedDecisionIsAccepted() {
        assertEquals(List.of(), refusals(rec("kube-system", List.of("kube-flannel-ds"), "kube-flannel", Fixtures.BAD,
                Fixtures.GOOD, List.of("eth0"), null), flannel("kube-system", "kube-flannel-ds")));
    }

    @Test
    void aFlannelDaemonSetIsFoundByWhatItRunsNotByItsName() {
        // kubespray's name, another namespace: still flannel because its template runs flanneld
        DaemonSet kubespray = flannel("kube-system", "kube-flannel");
        kubespray.getMetadata().setLabels(Map.of());
        assertEquals(List.of(), refusals(rec("kube-system", List.of("kube-flannel"), null, Fixtures.BAD, null,
                List.of("eth0"), null), kubespray));
    }

    @Test
    void aNonFlannelDaemonSetIsRefusedEvenWithFlannelsLabels() {
        DaemonSet fake = flannel("kube-system", "kube-proxy");
        fake.getSpec().getTemplate().getSpec().getContainers().forEach(c -> {
            c.setCommand(List.of("/usr/local/bin/kube-proxy"));
            c.setArgs(List.of());
            c.setImage("registry.k8s.io/kube-proxy:v1.28.4");
        });
        assertEquals(List.of("kube-system/kube-proxy is not a flannel DaemonSet (its pod template runs no flanneld);"
                        + " flannel DaemonSets on c1: kube-flannel/kube-flannel-ds"),
                refusals(rec("kube-system", List.of("kube-proxy"), null, null, null, List.of(), null), fake,
                        flannel("kube-flannel", "kube-flannel-ds")));
    }

    @Test
    void imagesOutsideCurrentAndKnownGoodAreRefused() {
        DaemonSet ds = flannel("kube-system", "kube-flannel-ds");
        assertEquals(List.of("target image quay.io/coreos/flannel:v0.14.0 is neither the current image nor the configured"
                        + " known-good v0.13.0 (allowed: " + Fixtures.BAD + ", " + Fixtures.GOOD + ")"),
                refusals(rec("kube-system", List.of("kube-flannel-ds"), null, Fixtures.BAD, "quay.io/coreos/flannel:v0.14.0",
                        List.of("eth0"), null), ds));
        assertEquals(List.of("current image docker.io/flannel/flannel:v0.25.0 is not what flanneld runs (" + Fixtures.BAD + ")"),
                refusals(rec("kube-system", List.of("kube-flannel-ds"), null, "docker.io/flannel/flannel:v0.25.0", null,
                        List.of("eth0"), null), ds));
        // keeping the current image is allowed
        assertEquals(List.of(), refusals(rec("kube-system", List.of("kube-flannel-ds"), null, Fixtures.BAD, Fixtures.BAD,
                List.of("eth0"), null), ds));
    }

    @Test
    void containerInterfaceAndRegexAreValidated() {
        DaemonSet ds = flannel("kube-system", "kube-flannel-ds");
        assertEquals(List.of("container install-cni of kube-system/kube-flannel-ds does not run flanneld (kube-flannel does)",
                        "iface: not an interface name: \"eth0 eth1\""),
                refusals(rec("kube-system", List.of("kube-flannel-ds"), "install-cni", Fixtures.BAD, null,
                        List.of("eth0 eth1"), null), ds));
        assertEquals(List.of("iface-regex \"eth.*$(reboot)\": contains whitespace, a quote or shell syntax"),
                refusals(rec("kube-system", List.of("kube-flannel-ds"), null, Fixtures.BAD, null, List.of(),
                        "eth.*$(reboot)"), ds));
        assertEquals(List.of(), refusals(rec("kube-system", List.of("kube-flannel-ds"), null, Fixtures.BAD, null, List.of(),
                "^(eth|ens)[0-9]+$"), ds));
        assertNull(DecisionGuard.regexProblem("^10\\.20\\."));
        assertEquals("not a regular expression (Unclosed group)", DecisionGuard.regexProblem("(eth"));
    }

    @Test
    void aDecisionNamingNoDaemonSetIsRefused() {
        assertEquals(List.of("the decision names no DaemonSet (flannel DaemonSets on c1: kube-system/kube-flannel-ds)"),
                refusals(rec("kube-system", List.of(), null, null, null, List.of(), null),
                        flannel("kube-system", "kube-flannel-ds")));
    }
}
