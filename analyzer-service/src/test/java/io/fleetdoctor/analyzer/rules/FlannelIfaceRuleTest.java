package io.fleetdoctor.analyzer.rules;

import io.fleetdoctor.analyzer.Scenario;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbooks.flannel.FlannelIfaceRule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.fleetdoctor.analyzer.Scenario.IDLE;
import static io.fleetdoctor.analyzer.Scenario.SPIKE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table-driven: the incident fires; each near miss, changed in one respect, does not. */
class FlannelIfaceRuleTest {

    static Stream<Arguments> nearMisses() {
        return Stream.of(
                // a known-good version: only the binding can be wrong, and one NIC cannot be the wrong one
                miss("single-NIC nodes", s -> {
                    Scenario n = new Scenario(s.cluster);
                    n.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                            .flannel("quay.io/coreos/flannel:v0.13.0", List.of("--ip-masq"), Map.of());
                    for (String node : Scenario.NODES) {
                        n.inventory(node, "eth0", false, "5.10.0");
                    }
                    return n.io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01")
                            .restart(Duration.ofMinutes(2), "kube-controller-manager", 1)
                            .restart(Duration.ofMinutes(7), "kube-scheduler", 1)
                            .restart(Duration.ofMinutes(12), "kube-controller-manager", 2);
                }),
                miss("one restart only", s -> base(s).restart(Duration.ofMinutes(2), "kube-controller-manager", 1)),
                miss("flannel bound by --iface arg", s -> bound(s, List.of("--ip-masq", "--iface=eth0"), Map.of())),
                miss("flannel bound by -iface-regex", s -> bound(s, List.of("-iface-regex", "^eth0$"), Map.of())),
                miss("flannel bound by --iface-can-reach", s -> bound(s, List.of("--iface-can-reach=10.0.0.1"), Map.of())),
                miss("flannel bound by FLANNELD_IFACE env", s -> bound(s, List.of("--ip-masq"), Map.of("FLANNELD_IFACE", "eth0"))),
                miss("the IO hog is another process", s -> {
                    Scenario n = new Scenario(s.cluster);
                    n.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                            .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq"), Map.of())
                            .twoNicNodes("eth0", "eth0", "eth0")
                            .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "etcd", SPIKE, "master01")
                            .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", IDLE, "node01");
                    return churn(n);
                }),
                miss("restarts spread over hours", s -> base(s)
                        .io(Duration.ofMinutes(1), Duration.ofMinutes(5), "flanneld", SPIKE, "master01")
                        .restart(Duration.ofMinutes(2), "kube-controller-manager", 1)
                        .restart(Duration.ofMinutes(80), "kube-scheduler", 1)
                        .restart(Duration.ofMinutes(160), "kube-controller-manager", 2)
                        .io(Duration.ofMinutes(150), Duration.ofMinutes(170), "flanneld", SPIKE, "master01")),
                miss("a large restart count that is only history", s -> {
                    Scenario n = new Scenario(s.cluster);
                    n.baseline("kube-controller-manager", 57).baseline("kube-scheduler", 41)
                            .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq"), Map.of())
                            .twoNicNodes("eth0", "eth0", "eth0")
                            .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01")
                            .restart(Duration.ofMinutes(5), "kube-controller-manager", 58);
                    return n;
                }),
                miss("pod recreated with a lower count is a new baseline", s -> {
                    Scenario n = new Scenario(s.cluster);
                    n.baseline("kube-controller-manager", 9)
                            .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq"), Map.of())
                            .twoNicNodes("eth0", "eth0", "eth0")
                            .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01")
                            .restart(Duration.ofMinutes(3), "kube-controller-manager", 0)
                            .restart(Duration.ofMinutes(6), "kube-controller-manager", 2);
                    return n;
                }),
                miss("one spike sample only", s -> churn(new Scenario(s.cluster)
                        .baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                        .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq"), Map.of())
                        .twoNicNodes("eth0", "eth0", "eth0")
                        .io(Duration.ofMinutes(1), Duration.ofMinutes(1).plusSeconds(10), "flanneld", SPIKE, "master01")
                        .io(Duration.ofMinutes(2), Duration.ofMinutes(20), "flanneld", IDLE, "master01"))),
                miss("restarts of other control-plane components", s -> base(s)
                        .baseline("etcd", 0)
                        .restart(Duration.ofMinutes(2), "etcd", 1)
                        .restart(Duration.ofMinutes(5), "etcd", 2)
                        .restart(Duration.ofMinutes(9), "etcd", 3)));
    }

    private static Arguments miss(String name, java.util.function.Function<Scenario, Scenario> build) {
        return Arguments.of(name, build);
    }

    private static Scenario base(Scenario s) {
        return s.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq", "--kube-subnet-mgr"), Map.of())
                .twoNicNodes("eth0", "eth0", "eth0");
    }

    private static Scenario churn(Scenario s) {
        return s.restart(Duration.ofMinutes(2), "kube-controller-manager", 1)
                .restart(Duration.ofMinutes(7), "kube-scheduler", 1)
                .restart(Duration.ofMinutes(12), "kube-controller-manager", 2);
    }

    /** Bound flannel of a version not known to be bad: no finding (v0.13.1-rc1 bound gets the downgrade alone). */
    private static Scenario bound(Scenario s, List<String> args, Map<String, String> env) {
        return bound(s, "quay.io/coreos/flannel:v0.13.0", args, env);
    }

    static Scenario bound(Scenario s, String image, List<String> args, Map<String, String> env) {
        Scenario n = new Scenario(s.cluster);
        n.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                .flannel(image, args, env)
                .twoNicNodes("eth0", "eth0", "eth0")
                .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01");
        return churn(n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nearMisses")
    void nearMissGivesNoDecision(String name, java.util.function.Function<Scenario, Scenario> build) {
        List<EngineOutput> out = build.apply(new Scenario("near-miss")).run();
        assertEquals(List.of(), out, name);
    }

    static Stream<Arguments> incidents() {
        return Stream.of(
                Arguments.of("same interface everywhere", (Consumer<Scenario>) s -> { }, List.of("eth0"), null,
                        List.of(), "quay.io/coreos/flannel:v0.13.0"),
                Arguments.of("different interface names → regex",
                        (Consumer<Scenario>) s -> s.inventory("node02", "ens192", true, "3.10.0"),
                        List.of("eth0", "ens192"), "^(ens192|eth0)$", List.of(), "quay.io/coreos/flannel:v0.13.0"),
                Arguments.of("a node without inventory is named",
                        (Consumer<Scenario>) s -> s.heartbeatFrom("node03"),
                        List.of("eth0"), null, List.of("node03"), "quay.io/coreos/flannel:v0.13.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("incidents")
    void incidentRecommendsTheInterfaceCarryingHostIp(String name, Consumer<Scenario> change, List<String> iface,
                                                      String regex, List<String> without, String target) {
        Scenario s = Scenario.incident("fires");
        change.accept(s);
        List<EngineOutput> out = Scenario.published(s.run());
        assertEquals(1, out.size(), name);
        Decision d = out.get(0).decision();
        assertEquals(Decision.OPEN, d.status());
        assertEquals(FlannelIfaceRule.ID, d.rule());
        assertEquals("critical", d.severity());
        Decision.Recommendation r = d.recommendation();
        assertEquals(iface.stream().sorted().toList(), r.iface().stream().sorted().toList());
        assertEquals(regex, r.ifaceRegex());
        assertEquals(without, r.nodesWithoutInventory());
        assertEquals(target, r.targetImage());
        assertEquals(List.of("kube-flannel-ds"), r.daemonSets());
        assertEquals("kube-flannel", r.container());
        assertEquals("quay.io/coreos/flannel:v0.13.1-rc1", r.currentImage());
    }

    @org.junit.jupiter.api.Test
    void keepsTheImageWhenTheVersionIsNotKnownBadAndRefusesKernelBreakers() {
        Scenario ok = new Scenario("keep");
        churn(ok.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                .flannel("quay.io/coreos/flannel:v0.12.0", List.of("--ip-masq"), Map.of())
                .twoNicNodes("eth0", "eth0", "eth0")
                .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01"));
        assertNull(Scenario.published(ok.run()).get(0).decision().recommendation().targetImage());

        Scenario el7 = Scenario.incident("el7");
        List<EngineOutput> out = Scenario.published(el7.run(Scenario.engine(Map.of(
                "fleetdoctor.playbooks.flannel.known-good-version", "v0.18.0"))));
        Decision d = out.get(0).decision();
        assertNull(d.recommendation().targetImage(), "v0.18.0 breaks EL7 kernels 3.10");
        assertTrue(d.evidence().stream().anyMatch(e -> e.fact().contains("known to break kernel 3.10")));
    }

    @org.junit.jupiter.api.Test
    void everyFlannelDaemonSetOfTheNamespaceIsNamed() {
        Scenario s = new Scenario("per-arch");
        s.flannelDs("kube-flannel-ds-amd64", "quay.io/coreos/flannel:v0.13.1-rc1", List.of("/opt/bin/flanneld"),
                List.of("--ip-masq"), Map.of());
        s.flannelDs("kube-flannel-ds-arm64", "quay.io/coreos/flannel:v0.13.1-rc1", List.of("/opt/bin/flanneld"),
                List.of("--ip-masq", "--iface=eth0"), Map.of());
        churn(s.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0).twoNicNodes("eth0", "eth0", "eth0")
                .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "node01"));
        Decision d = Scenario.published(s.run()).get(0).decision();
        assertEquals(List.of("kube-flannel-ds-amd64", "kube-flannel-ds-arm64"), d.recommendation().daemonSets());
    }

    @org.junit.jupiter.api.Test
    void perClusterOverridesApplyToThatClusterOnly() {
        Map<String, String> props = Map.of("fleetdoctor.playbooks.flannel.clusters.strict.min-restarts", "5");
        assertEquals(List.of(), Scenario.published(Scenario.incident("strict").run(Scenario.engine(props))));
        assertEquals(1, Scenario.published(Scenario.incident("other").run(Scenario.engine(props))).size());
    }

    /** The two findings are independent: bound on the known-bad version gets the downgrade alone. */
    @org.junit.jupiter.api.Test
    void boundOnTheKnownBadVersionGetsTheDowngradeAlone() {
        List<EngineOutput> out = Scenario.published(bound(new Scenario("bound-bad"), "quay.io/coreos/flannel:v0.13.1-rc1",
                List.of("--ip-masq", "--iface=eth0"), Map.of()).run());
        assertEquals(1, out.size());
        Decision.Recommendation r = out.get(0).decision().recommendation();
        assertEquals("quay.io/coreos/flannel:v0.13.0", r.targetImage());
        assertEquals(List.of(), r.iface());
        assertTrue(r.bindingOk(), "flags stay");
        assertTrue(out.get(0).decision().summary().contains("known-bad version"), out.get(0).decision().summary());
    }
}
