package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.FixBuilder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who manages a flannel DaemonSet, from its metadata, and the change proposed at that source; k3s's advice. */
class FlannelOwnershipTest {
    static final String BAD = "quay.io/coreos/flannel:v0.13.1-rc1";
    final FlannelFixBuilder builder = new FlannelFixBuilder(FlannelSettings.defaults());

    static DaemonSet incident() throws Exception {
        try (InputStream in = Fixtures.open(Fixtures.FLANNEL_MANIFEST)) {
            return FlannelManifests.daemonSet(in);
        }
    }

    BuiltPlan build(Map<String, String> labels, Map<String, String> annotations, List<String> iface, String regex)
            throws Exception {
        Recommendation rec = new Recommendation("flannel-iface-fix", "kube-system", List.of("kube-flannel-ds"),
                "kube-flannel", BAD, null, iface, regex, List.of());
        return builder.build(new FixBuilder.Input(rec, List.of(new FixBuilder.LiveDaemonSet("kube-system",
                "kube-flannel-ds", "7", incident().getSpec(), labels, annotations)), Map.of(), Map.of(), null));
    }

    @Test
    void eachManagerIsFoundFromItsLabelOrAnnotation() {
        record Case(Map<String, String> labels, Map<String, String> annotations, String manager, String evidence) {
        }
        List<Case> cases = List.of(
                new Case(Map.of("app.kubernetes.io/managed-by", "Helm"), Map.of("meta.helm.sh/release-name", "flannel"),
                        FlannelOwnership.HELM, "app.kubernetes.io/managed-by=Helm"),
                new Case(Map.of(), Map.of("meta.helm.sh/release-name", "flannel"), FlannelOwnership.HELM,
                        "meta.helm.sh/release-name=flannel"),
                new Case(Map.of("argocd.argoproj.io/instance", "network"), Map.of(), FlannelOwnership.ARGOCD,
                        "argocd.argoproj.io/instance=network"),
                new Case(Map.of(), Map.of("argocd.argoproj.io/tracking-id", "network:apps/DaemonSet:kube-system/kube-flannel-ds"),
                        FlannelOwnership.ARGOCD, "argocd.argoproj.io/tracking-id=network:apps/DaemonSet:kube-system/kube-flannel-ds"),
                new Case(Map.of("kustomize.toolkit.fluxcd.io/name", "infra"), Map.of(), FlannelOwnership.FLUX,
                        "kustomize.toolkit.fluxcd.io/name=infra"),
                // Flux's helm-controller also leaves Helm's metadata: Flux is the source to change
                new Case(Map.of("helm.toolkit.fluxcd.io/name", "flannel", "app.kubernetes.io/managed-by", "Helm"),
                        Map.of(), FlannelOwnership.FLUX, "helm.toolkit.fluxcd.io/name=flannel"),
                new Case(Map.of(), Map.of("objectset.rio.cattle.io/owner-gvk", "helm.cattle.io/v1, Kind=HelmChart"),
                        FlannelOwnership.RKE2, "objectset.rio.cattle.io/owner-gvk=helm.cattle.io/v1, Kind=HelmChart"),
                new Case(Map.of("helmcharts.helm.cattle.io/chart", "rke2-flannel"), Map.of(), FlannelOwnership.RKE2,
                        "helmcharts.helm.cattle.io/chart=rke2-flannel"),
                new Case(Map.of("app.kubernetes.io/managed-by", "Helm"), Map.of("meta.helm.sh/release-name", "rke2-canal"),
                        FlannelOwnership.RKE2, "meta.helm.sh/release-name=rke2-canal"),
                new Case(Map.of("addonmanager.kubernetes.io/mode", "Reconcile"), Map.of(), FlannelOwnership.ADDON_MANAGER,
                        "addonmanager.kubernetes.io/mode=Reconcile"));
        for (Case c : cases) {
            String[] found = FlannelOwnership.detect(c.labels(), c.annotations());
            assertEquals(List.of(c.manager(), c.evidence()), List.of(found), c.toString());
        }
        assertNull(FlannelOwnership.detect(Map.of("addonmanager.kubernetes.io/mode", "EnsureExists"), Map.of()),
                "EnsureExists only creates a missing object: a live patch stays");
        assertNull(FlannelOwnership.detect(Map.of("app", "flannel", "tier", "node"), Map.of()));
    }

    @Test
    void argoCdGetsAKustomizePatchWithTheWholeArgsAndTheImages() throws Exception {
        BuiltPlan p = build(Map.of("argocd.argoproj.io/instance", "network"), Map.of(), List.of("eth0"), null);
        assertFalse(p.liveExecutable());
        assertEquals(1, p.changes().size(), "the diff is still computed for review");
        assertEquals("""
                # Argo CD application network: add to the kustomization.yaml of the Git path it syncs (an application from a Helm chart: set the same in its values):
                #   patches:
                #   - path: flannel-fix.yaml
                # flannel-fix.yaml
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: kube-flannel-ds
                  namespace: kube-system
                spec:
                  template:
                    spec:
                      initContainers:
                      - name: install-cni
                        image: "quay.io/coreos/flannel:v0.13.0"
                      containers:
                      - name: kube-flannel
                        image: "quay.io/coreos/flannel:v0.13.0"
                        args:
                        - "--ip-masq"
                        - "--kube-subnet-mgr"
                        - "--iface=eth0"
                """, p.owner().sourceChange());
    }

    @Test
    void helmGetsTheFlannelChartsValues() throws Exception {
        BuiltPlan p = build(Map.of("app.kubernetes.io/managed-by", "Helm"),
                Map.of("meta.helm.sh/release-name", "flannel", "meta.helm.sh/release-namespace", "kube-flannel"),
                List.of("eth0", "bond0"), null);
        assertEquals(FlannelOwnership.HELM, p.owner().manager());
        String values = p.owner().sourceChange();
        assertTrue(values.contains("#   helm upgrade flannel <chart> -n kube-flannel --reuse-values -f flannel-fix-values.yaml\n"), values);
        assertTrue(values.endsWith("""
                flannel:
                  # the whole list: Helm replaces lists
                  args:
                  - "--ip-masq"
                  - "--kube-subnet-mgr"
                  - "--iface=eth0"
                  - "--iface=bond0"
                  image:
                    tag: "v0.13.0"
                """), values);
    }

    @Test
    void fluxAndAddonManagerGetTheirSourceChange() throws Exception {
        BuiltPlan release = build(Map.of("helm.toolkit.fluxcd.io/name", "flannel", "app.kubernetes.io/managed-by", "Helm"),
                Map.of(), List.of("eth0"), null);
        assertTrue(release.owner().sourceChange().startsWith("# Flux HelmRelease flannel: merge into its spec.values"
                + " in Git"), release.owner().sourceChange());
        assertTrue(release.owner().sourceChange().contains("  - \"--iface=eth0\"\n"), release.owner().sourceChange());
        BuiltPlan kustomization = build(Map.of("kustomize.toolkit.fluxcd.io/name", "infra"), Map.of(), List.of("eth0"), null);
        assertTrue(kustomization.owner().sourceChange().startsWith("# Flux Kustomization infra: add to the"
                + " kustomization.yaml of its Git path:"), kustomization.owner().sourceChange());
        BuiltPlan addon = build(Map.of("addonmanager.kubernetes.io/mode", "Reconcile"), Map.of(), List.of("eth0"), null);
        assertEquals(FlannelOwnership.ADDON_MANAGER, addon.owner().manager());
        assertTrue(addon.owner().sourceChange().contains("kind: DaemonSet\n"), addon.owner().sourceChange());
        assertFalse(addon.liveExecutable());
    }

    @Test
    void rke2GetsAHelmChartConfigAndSeveralNamesBecomeOneRegex() throws Exception {
        BuiltPlan p = build(Map.of("app.kubernetes.io/managed-by", "Helm"),
                Map.of("meta.helm.sh/release-name", "rke2-canal"), List.of("eth0", "bond0.100"), null);
        assertEquals(FlannelOwnership.RKE2, p.owner().manager());
        assertTrue(p.owner().sourceChange().endsWith("""
                apiVersion: helm.cattle.io/v1
                kind: HelmChartConfig
                metadata:
                  name: rke2-canal
                  namespace: kube-system
                spec:
                  valuesContent: |-
                    flannel:
                      regexIface: "^(eth0|bond0\\\\.100)$"
                      image:
                        tag: "v0.13.0"
                """), p.owner().sourceChange());
    }

    @Test
    void k3sHasNoDaemonSetAndGetsTheFlannelIfaceAdvice() {
        Recommendation rec = new Recommendation("flannel-iface-fix", "kube-system", List.of("kube-flannel-ds"),
                "kube-flannel", null, null, List.of("eth0"), null, List.of());
        BuiltPlan p = builder.build(new FixBuilder.Input(rec, List.of(new FixBuilder.LiveDaemonSet("kube-system",
                "kube-flannel-ds", null, null)), Map.of("server-1", "6.8.0"), Map.of(), null,
                Map.of("server-1", "v1.30.4+k3s1", "agent-1", "v1.30.4+k3s1")));
        assertTrue(p.changes().isEmpty());
        assertNull(p.blockedReason(), p.checks().toString());
        assertFalse(p.liveExecutable());
        assertEquals(FlannelOwnership.K3S, p.owner().manager());
        assertEquals("kubelet v1.30.4+k3s1 on agent-1", p.owner().evidence());
        assertTrue(p.owner().sourceChange().contains("flannel-iface: \"eth0\"\n"), p.owner().sourceChange());
        assertTrue(p.owner().sourceChange().contains("--flannel-iface=eth0"), p.owner().sourceChange());

        // the same missing DaemonSet on a cluster that is not k3s is a blocked plan, as before
        BuiltPlan other = builder.build(new FixBuilder.Input(rec, List.of(new FixBuilder.LiveDaemonSet("kube-system",
                "kube-flannel-ds", null, null)), Map.of(), Map.of(), null, Map.of("n1", "v1.30.4")));
        assertTrue(other.blockedReason().contains("daemonset-found"), other.blockedReason());
        assertNull(other.owner());
    }
}
