package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlannelFixBuilderTest {
    static final String BAD = "quay.io/coreos/flannel:v0.13.1-rc1";
    static final String GOOD = "quay.io/coreos/flannel:v0.13.0";
    static final Map<String, String> KERNELS = Map.of("master01", "3.10.0-1160.el7.x86_64",
            "node01", "3.10.0-1160.el7.x86_64", "node02", "3.10.0-1160.el7.x86_64");
    static final Map<String, List<String>> ALL_ETH0 = Map.of("master01", List.of("lo", "eth0", "eth1"),
            "node01", List.of("lo", "eth0", "eth1"), "node02", List.of("lo", "eth0", "eth1"));

    final FlannelFixBuilder builder = new FlannelFixBuilder(FlannelSettings.defaults());

    static DaemonSet fixture() throws Exception {
        try (InputStream in = Fixtures.open(Fixtures.FLANNEL_MANIFEST)) {
            DaemonSet ds = FlannelManifests.daemonSet(in);
            ds.getMetadata().setResourceVersion("1042");
            return ds;
        }
    }

    static Recommendation rec(List<String> iface, String regex, String target) {
        return new Recommendation("flannel-iface-fix", "kube-system", List.of("kube-flannel-ds"), "kube-flannel",
                BAD, target, iface, regex, List.of());
    }

    BuiltPlan build(DaemonSetSpec spec, Recommendation rec, Map<String, List<String>> inv, Map<String, String> kernels,
                    String override) {
        return builder.build(new FixBuilder.Input(rec,
                List.of(new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds", "1042", spec)),
                kernels, inv, override));
    }

    static Container flanneld(String afterJson) {
        return SpecJson.fromJson(afterJson).getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void seedIncidentPinsImageAndAddsIfaceOnce() throws Exception {
        BuiltPlan p = build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        assertNull(p.blockedReason());
        assertFalse(p.needsOverride(), p.checks().toString());
        Container c = flanneld(p.changes().get(0).after());
        assertEquals(GOOD, c.getImage());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), c.getArgs());
        assertEquals(List.of("/opt/bin/flanneld"), c.getCommand());
        assertEquals(GOOD, SpecJson.fromJson(p.changes().get(0).after()).getTemplate().getSpec().getInitContainers().get(0).getImage());
        assertTrue(p.diff().contains("-  - image: " + BAD) || p.diff().contains("image: \"" + BAD) || p.diff().contains(BAD), p.diff());
        assertTrue(p.diff().lines().anyMatch(l -> l.startsWith("+") && l.contains("--iface=eth0")), p.diff());
        assertTrue(p.diff().startsWith("--- a/kube-system/daemonset/kube-flannel-ds (resourceVersion 1042)"), p.diff());
        assertTrue(p.changesAnything());
    }

    @Test
    void targetImageNullPinsKnownBadToKnownGoodInSameRepository() throws Exception {
        BuiltPlan p = build(fixture().getSpec(), rec(List.of("eth0"), null, null), ALL_ETH0, KERNELS, null);
        assertEquals(GOOD, p.targetImage());
    }

    /** flanneld tries --iface values in order: the new one goes first, the owner's flags and env stay. */
    @Test
    void existingIfaceFlagsAndEnvAreKeptBehindTheNewOne() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        Container c = spec.getTemplate().getSpec().getContainers().get(0);
        c.setArgs(List.of("--ip-masq", "--iface=eth1", "--kube-subnet-mgr", "--iface", "eth2", "--iface-regex=^en.*",
                "--iface-can-reach=10.0.0.1"));
        List<EnvVar> env = new ArrayList<>(c.getEnv());
        env.add(new EnvVar("FLANNELD_IFACE", "eth1", null));
        c.setEnv(env);
        BuiltPlan p = build(spec, rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        Container after = flanneld(p.changes().get(0).after());
        assertEquals(List.of("--ip-masq", "--iface=eth0", "--iface=eth1", "--kube-subnet-mgr", "--iface", "eth2",
                "--iface-regex=^en.*", "--iface-can-reach=10.0.0.1"), after.getArgs());
        assertEquals(List.of("eth0", "eth1", "eth2"), FlannelSpec.of(after).iface());
        assertEquals(env, after.getEnv(), "env untouched");
        assertTrue(p.diff().lines().filter(l -> l.startsWith("-") && !l.startsWith("---"))
                .noneMatch(l -> l.contains("iface")), p.diff());
    }

    /** An env-only binding stays in the spec; the check says the flag now takes its place. */
    @Test
    void aLiteralIfaceEnvStaysAndTheCheckSaysTheFlagWins() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        Container c = spec.getTemplate().getSpec().getContainers().get(0);
        List<EnvVar> env = new ArrayList<>(c.getEnv());
        env.add(new EnvVar("FLANNELD_IFACE", "eth1", null));
        c.setEnv(env);
        BuiltPlan p = build(spec, rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        Container after = flanneld(p.changes().get(0).after());
        assertEquals(env, after.getEnv());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), after.getArgs());
        assertTrue(p.checks().stream().anyMatch(k -> k.name().equals("flanneld-env-kept") && k.passed()
                && k.detail().contains("FLANNELD_IFACE=eth1")), p.checks().toString());
    }

    /** An --iface-regex would come after the owner's --iface, which the plan does not delete: refused. */
    @Test
    void aRegexBehindTheOwnersIfaceIsRefused() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        spec.getTemplate().getSpec().getContainers().get(0).setArgs(List.of("--ip-masq", "--iface=eth1"));
        BuiltPlan p = build(spec, rec(List.of(), "^(eth0|ens3)$", GOOD), ALL_ETH0, KERNELS, null);
        assertNotNull(p.blockedReason());
        assertTrue(p.blockedReason().startsWith("iface-order: flanneld in kube-system/kube-flannel-ds tries --iface=eth1"
                + " before any --iface-regex"), p.blockedReason());
        assertTrue(p.changes().isEmpty());
    }

    @Test
    void applyingThePlanToItsOwnResultChangesNothing() throws Exception {
        BuiltPlan first = build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        Recommendation again = new Recommendation("flannel-iface-fix", "kube-system", List.of("kube-flannel-ds"),
                "kube-flannel", GOOD, GOOD, List.of("eth0"), null, List.of());
        BuiltPlan second = build(SpecJson.fromJson(first.changes().get(0).after()), again, ALL_ETH0, KERNELS, null);
        assertEquals(second.changes().get(0).specHash(), second.changes().get(0).afterHash());
        assertFalse(second.changesAnything());
    }

    @Test
    void flagsInCommandStayInCommand() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        Container c = spec.getTemplate().getSpec().getContainers().get(0);
        c.setCommand(List.of("/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr", "--iface=eth1"));
        c.setArgs(null);
        BuiltPlan p = build(spec, rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        Container after = flanneld(p.changes().get(0).after());
        assertEquals(List.of("/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr", "--iface=eth0", "--iface=eth1"),
                after.getCommand());
        assertTrue(after.getArgs() == null || after.getArgs().isEmpty(), "no flags moved to args");
    }

    @Test
    void interfaceMissingOnOneNodeNeedsOverride() throws Exception {
        Map<String, List<String>> inv = Map.of("master01", List.of("eth0", "eth1"), "node01", List.of("eth0", "eth1"),
                "node02", List.of("ens3", "eth1"));
        BuiltPlan p = build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), inv, KERNELS, null);
        assertTrue(p.needsOverride());
        assertTrue(p.checks().stream().anyMatch(c -> !c.passed() && c.detail().contains("node02")), p.checks().toString());
        BuiltPlan bad = build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), inv, KERNELS, "eth0");
        assertTrue(bad.needsOverride());
        BuiltPlan ok = build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), inv, KERNELS, "eth1");
        assertFalse(ok.needsOverride(), ok.checks().toString());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth1"), flanneld(ok.changes().get(0).after()).getArgs());
    }

    @Test
    void regexChoiceMatchesDifferentNames() throws Exception {
        Map<String, List<String>> inv = Map.of("a", List.of("eth0"), "b", List.of("ens3"));
        BuiltPlan p = build(fixture().getSpec(), rec(List.of(), "^(eth0|ens3)$", GOOD), inv, Map.of("a", "5.4", "b", "5.4"), null);
        assertFalse(p.needsOverride(), p.checks().toString());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface-regex=^(eth0|ens3)$"),
                flanneld(p.changes().get(0).after()).getArgs());
    }

    @Test
    void unknownInterfaceOrNodeWithoutInventoryNeedsOverride() throws Exception {
        assertTrue(build(fixture().getSpec(), rec(List.of(), null, GOOD), ALL_ETH0, KERNELS, null).needsOverride());
        Map<String, List<String>> two = Map.of("master01", List.of("eth0"), "node01", List.of("eth0"));
        assertTrue(build(fixture().getSpec(), rec(List.of("eth0"), null, GOOD), two, KERNELS, null).needsOverride());
    }

    @Test
    void versionKnownToBreakTheKernelBlocksTheMove() throws Exception {
        BuiltPlan p = build(fixture().getSpec(), rec(List.of("eth0"), null, "quay.io/coreos/flannel:v0.18.0"), ALL_ETH0,
                KERNELS, null);
        assertNotNull(p.blockedReason());
        assertTrue(p.blockedReason().contains("kernel-compatible"), p.blockedReason());
        BuiltPlan modern = build(fixture().getSpec(), rec(List.of("eth0"), null, "quay.io/coreos/flannel:v0.18.0"),
                ALL_ETH0, Map.of("master01", "5.15.0", "node01", "5.15.0", "node02", "5.15.0"), null);
        assertNull(modern.blockedReason());
    }

    @Test
    void targetInAnotherRepositoryIsBlocked() throws Exception {
        BuiltPlan p = build(fixture().getSpec(), rec(List.of("eth0"), null, "evil.example/flannel:v0.13.0"), ALL_ETH0,
                KERNELS, null);
        assertNotNull(p.blockedReason());
    }

    @Test
    void everyDaemonSetOfAnOlderPerArchitectureManifestIsPatched() throws Exception {
        Recommendation rec = new Recommendation("flannel-iface-fix", "kube-system",
                List.of("kube-flannel-ds-amd64", "kube-flannel-ds-arm64"), "kube-flannel", BAD, GOOD, List.of("eth0"),
                null, List.of());
        BuiltPlan p = builder.build(new FixBuilder.Input(rec, List.of(
                new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds-amd64", "7", fixture().getSpec()),
                new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds-arm64", "8", fixture().getSpec())),
                KERNELS, ALL_ETH0, null));
        assertEquals(2, p.changes().size());
        for (DaemonSetChange c : p.changes()) {
            assertEquals(List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), flanneld(c.after()).getArgs());
        }
        assertTrue(p.diff().contains("kube-flannel-ds-amd64") && p.diff().contains("kube-flannel-ds-arm64"));
        BuiltPlan missing = builder.build(new FixBuilder.Input(rec, List.of(
                new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds-amd64", "7", fixture().getSpec()),
                new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds-arm64", null, null)),
                KERNELS, ALL_ETH0, null));
        assertNotNull(missing.blockedReason());
    }

    @Test
    void overrideNamesAreValidated() {
        assertEquals(List.of("eth0", "eth1"), FlannelFixBuilder.parseOverride(" eth0, eth1 ,eth0"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FlannelFixBuilder.parseOverride("eth0; rm -rf /"));
        assertEquals(Collections.emptyList(), List.of());
    }

    /** The binding is right (flanneld logged the cluster interface): only the image changes, no flag is added. */
    @Test
    void bindingOkChangesTheImageOnly() throws Exception {
        Recommendation rec = new Recommendation("flannel-iface-fix", "kube-system", List.of("kube-flannel-ds"),
                "kube-flannel", BAD, GOOD, List.of(), null, List.of(), true);
        DaemonSetSpec spec = fixture().getSpec();
        BuiltPlan p = build(spec, rec, Map.of(), KERNELS, null);
        assertNull(p.blockedReason(), p.checks().toString());
        assertFalse(p.needsOverride(), p.checks().toString());
        Container c = flanneld(p.changes().get(0).after());
        assertEquals(GOOD, c.getImage());
        assertEquals(spec.getTemplate().getSpec().getContainers().get(0).getArgs(), c.getArgs(), "flags untouched");
        assertTrue(p.diff().lines().noneMatch(l -> l.startsWith("+") && l.contains("--iface")), p.diff());
    }

    /** kube-flannel started from a script: the flag goes inside it, right after flanneld, where flanneld reads it. */
    @Test
    void flagsGoInsideAShellWrapper() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        Container c0 = spec.getTemplate().getSpec().getContainers().get(0);
        c0.setCommand(List.of("/bin/sh", "-c"));
        c0.setArgs(List.of("mkdir -p /run/flannel && exec /opt/bin/flanneld --ip-masq --iface=eth1 --kube-subnet-mgr"));
        BuiltPlan p = build(spec, rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        Container c = flanneld(p.changes().get(0).after());
        assertEquals(List.of("/bin/sh", "-c"), c.getCommand());
        assertEquals(List.of("mkdir -p /run/flannel && exec /opt/bin/flanneld --ip-masq --iface=eth0 --iface=eth1 --kube-subnet-mgr"),
                c.getArgs());
        assertEquals(List.of("eth0", "eth1"), FlannelSpec.of(c).iface(), "flanneld reads what the plan wrote, first");

        // without an --iface of the owner's, a regex goes right after the flanneld word, shell-quoted
        c0.setArgs(List.of("mkdir -p /run/flannel && exec /opt/bin/flanneld --ip-masq --kube-subnet-mgr"));
        BuiltPlan regex = build(spec, rec(List.of(), "^(bond0|eth0)$", GOOD), ALL_ETH0, KERNELS, null);
        Container r = flanneld(regex.changes().get(0).after());
        assertEquals(List.of("mkdir -p /run/flannel && exec /opt/bin/flanneld '--iface-regex=^(bond0|eth0)$' --ip-masq"
                + " --kube-subnet-mgr"), r.getArgs());
        assertEquals(List.of("^(bond0|eth0)$"), FlannelSpec.of(r).ifaceRegex());
        // applying the plan's output again changes nothing
        Container again = flanneld(regex.changes().get(0).after());
        FlannelFlags.apply(again, FlannelFlags.flags(List.of(), "^(bond0|eth0)$"));
        assertEquals(r.getArgs(), again.getArgs());
        Container twice = flanneld(p.changes().get(0).after());
        FlannelFlags.apply(twice, FlannelFlags.flags(List.of("eth0"), null));
        assertEquals(c.getArgs(), twice.getArgs());
    }

    /** RKE2 canal sets FLANNELD_IFACE from a ConfigMap: the plan points there instead of adding a flag. */
    @Test
    void aBindingFromAConfigMapIsRefusedWithItsSource() throws Exception {
        DaemonSetSpec spec = fixture().getSpec();
        spec.getTemplate().getSpec().getContainers().get(0).getEnv().add(new EnvVar("FLANNELD_IFACE", null,
                new io.fabric8.kubernetes.api.model.EnvVarSourceBuilder().withNewConfigMapKeyRef("canal_iface",
                        "rke2-canal-config", false).build()));
        BuiltPlan p = build(spec, rec(List.of("eth0"), null, GOOD), ALL_ETH0, KERNELS, null);
        assertTrue(p.blockedReason().contains("configMapKeyRef rke2-canal-config/canal_iface"), p.blockedReason());
        assertTrue(p.changes().isEmpty());
    }
}
