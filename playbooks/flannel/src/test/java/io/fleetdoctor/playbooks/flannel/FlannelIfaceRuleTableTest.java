package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.Finding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.fleetdoctor.playbooks.flannel.FakeCluster.dev;
import static io.fleetdoctor.playbooks.flannel.FakeCluster.nic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flannel-iface rule on the layouts and manifests real clusters have: every case has the incident's
 * churn and flanneld spike; what varies is the nodes' interfaces, flannel's spec and what flanneld logged.
 * Log lines are flanneld's own (flannel pkg/ipmatch/match.go and main.go).
 */
class FlannelIfaceRuleTableTest {
    static final String BAD = "quay.io/coreos/flannel:v0.13.1-rc1";
    static final String GOOD = "quay.io/coreos/flannel:v0.13.0";
    static final String GOOD_TARGET = "quay.io/coreos/flannel:v0.13.0";

    /** What the rule should say: quiet, or the recommendation's interface part and image. */
    record Expect(boolean fires, List<String> iface, String regex, String targetImage, boolean bindingOk, String fact) {
        static Expect quiet() {
            return new Expect(false, List.of(), null, null, false, null);
        }

        static Expect iface(String target, String fact, String... iface) {
            return new Expect(true, List.of(iface), null, target, false, fact);
        }

        static Expect downgradeOnly(String fact) {
            return new Expect(true, List.of(), null, GOOD_TARGET, true, fact);
        }
    }

    /** Two nodes, each with a NIC carrying its InternalIP and a second NIC with the default route. */
    static FakeCluster twoNics(String image, String... args) {
        return new FakeCluster("node01", "node02").flannel(image, args)
                .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", false), nic("eth1", "10.20.0.11/24", true))
                .node("node02", "192.168.10.12", nic("eth0", "192.168.10.12/24", false), nic("eth1", "10.20.0.12/24", true));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("the incident: unbound known-bad flannel on two-NIC nodes",
                        () -> twoNics(BAD), Expect.iface(GOOD_TARGET, "without --iface", "eth0")),
                c("unbound known-good flannel on two-NIC nodes: the binding alone",
                        () -> twoNics(GOOD), Expect.iface(null, "without --iface", "eth0")),
                c("bound by --iface on the known-bad version: the downgrade alone",
                        () -> twoNics(BAD, "--iface=eth0"), Expect.downgradeOnly("bound (--iface=eth0)")),
                c("bound by --public-ip", () -> twoNics(GOOD, "--public-ip=192.168.10.11"), Expect.quiet()),
                c("bound by --iface-can-reach", () -> twoNics(GOOD, "--iface-can-reach", "192.168.10.1"), Expect.quiet()),
                c("bound inside a shell wrapper", () -> new FakeCluster("node01", "node02")
                        .flannel(GOOD, List.of("/bin/sh", "-c"), List.of("exec /opt/bin/flanneld --ip-masq --iface=eth0"),
                                Map.of(), Map.of(), List.of())
                        .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", false), nic("eth1", "10.20.0.11/24", true)),
                        Expect.quiet()),
                c("RKE2 canal: FLANNELD_IFACE from a ConfigMap is unknown, never unbound", () -> new FakeCluster("node01")
                        .flannel(GOOD, List.of("/opt/bin/flanneld"), List.of("--ip-masq"), Map.of(),
                                Map.of("FLANNELD_IFACE", "configMapKeyRef rke2-canal-config/canal_iface"), List.of())
                        .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", false), nic("eth1", "10.20.0.11/24", true)),
                        Expect.quiet()),
                c("envFrom may bind it: unknown; the known-bad version still gets the downgrade", () -> new FakeCluster("node01")
                        .flannel(BAD, List.of("/opt/bin/flanneld"), List.of("--ip-masq"), Map.of(), Map.of(),
                                List.of("configMapRef flannel-env"))
                        .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", false), nic("eth1", "10.20.0.11/24", true)),
                        Expect.downgradeOnly("configMapRef flannel-env (not readable here)")),
                c("unbound, but flanneld logged the cluster interface: no interface problem", () -> twoNics(GOOD)
                        .startup("node01", "I1130 10:00:01.000000       1 match.go:211] Determining IP address of default interface",
                                "I1130 10:00:01.000000       1 match.go:269] Using interface with name eth0 and address 192.168.10.11")
                        .startup("node02", "I1130 10:00:01.000000       1 match.go:269] Using interface with name eth0 and address 192.168.10.12"),
                        Expect.quiet()),
                c("bound to the wrong interface, and flanneld says so", () -> twoNics(GOOD, "--iface=eth1")
                        .startup("node01", "I1130 10:00:01.000000       1 match.go:269] Using interface with name eth1 and address 10.20.0.11"),
                        Expect.iface(null, "but the node's cluster interface is eth0", "eth0")),
                c("dual stack: the v4 line names the interface", () -> twoNics(GOOD)
                        .startup("node01", "I1130 10:00:01.000000       1 match.go:269] Using interface with name eth1 and address 10.20.0.11",
                                "I1130 10:00:01.000000       1 match.go:272] Using interface with name eth1 and v6 address fd00::11"),
                        Expect.iface(null, "flanneld on node01 uses eth1 (10.20.0.11)", "eth0")),
                c("bound by the node-public-ip annotation: flanneld searched by address and chose right", () -> twoNics(GOOD)
                        .startup("node01", "I1130 10:00:01.000000       1 match.go:74] Searching for interface using 192.168.10.11",
                                "I1130 10:00:01.000000       1 match.go:269] Using interface with name eth0 and address 192.168.10.11"),
                        Expect.quiet()),
                c("the cluster address on a bond: --iface=bond0, its members never count alone", () -> new FakeCluster("node01")
                        .flannel(BAD)
                        .node("node01", "192.168.10.11", dev("eth0", "physical", List.of(), null, false),
                                dev("eth1", "physical", List.of(), null, false),
                                dev("bond0", "bond", List.of("eth0", "eth1"), "192.168.10.11/24", false),
                                nic("eth2", "10.20.0.11/24", true)),
                        Expect.iface(GOOD_TARGET, "bond0 [bond of eth0+eth1]", "bond0")),
                c("a bond alone is one uplink, not three", () -> new FakeCluster("node01")
                        .flannel(GOOD)
                        .node("node01", "192.168.10.11", dev("eth0", "physical", List.of(), "192.168.10.50/24", false),
                                dev("eth1", "physical", List.of(), null, false),
                                dev("bond0", "bond", List.of("eth0", "eth1"), "192.168.10.11/24", true)),
                        Expect.quiet()),
                c("the cluster address on a VLAN: --iface=eth0.100", () -> new FakeCluster("node01")
                        .flannel(GOOD)
                        .node("node01", "10.100.0.11", nic("eth0", "192.168.1.11/24", true),
                                dev("eth0.100", "vlan", List.of("eth0"), "10.100.0.11/24", false)),
                        Expect.iface(null, "eth0.100 [vlan of eth0]", "eth0.100")),
                c("the cluster address on a bridge over a NIC: --iface=br0", () -> new FakeCluster("node01")
                        .flannel(GOOD)
                        .node("node01", "192.168.10.11", dev("eth0", "physical", List.of(), null, false),
                                dev("br0", "bridge", List.of("eth0"), "192.168.10.11/24", false),
                                nic("eth1", "10.20.0.11/24", true)),
                        Expect.iface(null, "br0 [bridge of eth0]", "br0")),
                c("container bridges and overlays never count", () -> new FakeCluster("node01")
                        .flannel(GOOD)
                        .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", true),
                                dev("veth1", "virtual", List.of(), null, false),
                                dev("cni0", "bridge", List.of("veth1"), "10.244.0.1/24", false),
                                dev("docker0", "bridge", List.of(), "172.17.0.1/16", false),
                                dev("flannel.1", "virtual", List.of(), "10.244.0.0/32", false)),
                        Expect.quiet()),
                c("a /32 point-to-point main address counts", () -> new FakeCluster("node01")
                        .flannel(GOOD)
                        .node("node01", "10.0.0.5", nic("eth0", "10.0.0.5/32", true), nic("eth1", "172.31.0.5/20", false)),
                        Expect.iface(null, "eth0 (10.0.0.5/32", "eth0")),
                c("Vagrant: every node has InternalIP 10.0.2.15 on the NAT NIC; the private NIC is the cluster's",
                        () -> new FakeCluster("node01", "node02").flannel(GOOD)
                                .node("node01", "10.0.2.15", nic("eth0", "10.0.2.15/24", true), nic("eth1", "192.168.56.11/24", false))
                                .node("node02", "10.0.2.15", nic("eth0", "10.0.2.15/24", true), nic("eth1", "192.168.56.12/24", false)),
                        Expect.iface(null, "kubelet --node-ip", "eth1")),
                c("one node bonded, one not: an ordered --iface list, never a regex that could pick a bond member",
                        () -> new FakeCluster("node01", "node02").flannel(GOOD)
                                .node("node01", "192.168.10.11", nic("eth0", "192.168.10.11/24", false),
                                        nic("eth1", "10.20.0.11/24", true))
                                .node("node02", "192.168.10.12", dev("eth0", "physical", List.of(), null, false),
                                        dev("eth1", "physical", List.of(), null, false),
                                        dev("bond0", "bond", List.of("eth0", "eth1"), "192.168.10.12/24", false),
                                        nic("eth2", "10.20.0.12/24", true)),
                        Expect.iface(null, "bond0 [bond of eth0+eth1]", "bond0", "eth0")),
                c("old agents without kind: physical decides, as before", () -> new FakeCluster("node01")
                        .flannel(BAD)
                        .node("node01", "192.168.10.11",
                                new io.fleetdoctor.events.NodeInterfaces.Interface("eth0", true, true, List.of("192.168.10.11/24"), false),
                                new io.fleetdoctor.events.NodeInterfaces.Interface("eth1", true, true, List.of("10.20.0.11/24"), true)),
                        Expect.iface(GOOD_TARGET, "without --iface", "eth0")));
    }

    static Arguments c(String name, Supplier<FakeCluster> cluster, Expect expect) {
        return Arguments.of(name, cluster, expect);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rule(String name, Supplier<FakeCluster> cluster, Expect expect) {
        Finding f = new FlannelIfaceRule(c -> FlannelSettings.defaults()).evaluate(cluster.get(), FakeCluster.NOW);
        assertEquals(expect.fires(), f.firing(), name + ": " + f.summary());
        if (!expect.fires()) {
            return;
        }
        Decision.Recommendation r = f.recommendation();
        assertEquals(expect.iface(), r.iface(), f.summary());
        assertEquals(expect.regex(), r.ifaceRegex());
        assertEquals(expect.targetImage(), r.targetImage());
        assertEquals(expect.bindingOk(), r.bindingOk());
        assertTrue(f.evidence().stream().anyMatch(e -> e.fact().contains(expect.fact())),
                "no evidence with \"" + expect.fact() + "\" in " + f.evidence());
        if (!expect.bindingOk()) {
            assertTrue(f.summary().contains(String.join(" ", expect.iface().stream().map(i -> "--iface=" + i).toList())),
                    f.summary());
        } else {
            assertFalse(f.summary().contains("--iface="), f.summary());
        }
    }
}
