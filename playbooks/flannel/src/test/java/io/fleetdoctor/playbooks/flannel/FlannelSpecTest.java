package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlannelSpecTest {
    private static final Map<String, String> IFACES = Map.of("lo", "127.0.0.1", "eth0", "192.168.10.12",
            "eth1", "10.20.0.12", "cni0", "172.20.1.1");

    private static DaemonSet ds(String image, List<String> args, String envIface) {
        var b = new DaemonSetBuilder().withNewMetadata().withName("kube-flannel-ds").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName("kube-flannel").withImage(image).withCommand("/opt/bin/flanneld")
                .withArgs(args);
        if (envIface != null) {
            b = b.addNewEnv().withName("FLANNELD_IFACE").withValue(envIface).endEnv();
        }
        return b.endContainer().endSpec().endTemplate().endSpec().build();
    }

    @Test
    void unboundFlannelTakesTheDefaultRoute() {
        FlannelSpec b = FlannelSpec.of(ds("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq",
                "--kube-subnet-mgr"), null));
        assertFalse(b.bound());
        assertEquals("eth1", b.chooseInterface(IFACES, "eth1"));
        assertEquals("image v0.13.1-rc1, no --iface", b.describe());
    }

    @Test
    void theIncidentFixNeedsVersionAndEth0() {
        FlannelSpec fix = FlannelSpec.of(ds("quay.io/coreos/flannel:v0.13.0",
                List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), null));
        assertEquals("eth0", fix.chooseInterface(IFACES, "eth1"));
        assertEquals("v0.13.0", fix.version());
        assertTrue(fix.bound());
        assertEquals("image v0.13.0, --iface=eth0", fix.describe());

        FlannelSpec rcBound = FlannelSpec.of(ds("quay.io/coreos/flannel:v0.13.1-rc1",
                List.of("--iface", "eth0"), null));
        assertEquals(List.of("eth0"), rcBound.iface(), "--iface VALUE as two words");
        assertEquals("v0.13.1-rc1", rcBound.version());

        FlannelSpec versionOnly = FlannelSpec.of(ds("quay.io/coreos/flannel:v0.13.0", List.of("--ip-masq"), null));
        assertFalse(versionOnly.bound());
        assertEquals("eth1", versionOnly.chooseInterface(IFACES, "eth1"));
    }

    @Test
    void ifaceByIpRegexAndEnvAndNoMatch() {
        assertEquals("eth0", FlannelSpec.of(ds("f:v0.13.0", List.of("--iface=192.168.10.12"), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelSpec.of(ds("f:v0.13.0", List.of("--iface-regex=^192\\.168\\."), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelSpec.of(ds("f:v0.13.0", List.of("--iface-regex", "eth0"), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelSpec.of(ds("f:v0.13.0", List.of(), "eth0")).chooseInterface(IFACES, "eth1"));
        assertEquals("eth1", FlannelSpec.of(ds("f:v0.13.0", List.of("--iface=bond0", "--iface=eth1"), null))
                .chooseInterface(IFACES, "eth1"));
        assertNull(FlannelSpec.of(ds("f:v0.13.0", List.of("--iface=ens192"), null)).chooseInterface(IFACES, "eth1"));
    }

    @Test
    void everyFormOfTheInterfaceFlags() {
        // one dash, as Go's flag package allows
        assertEquals(List.of("eth0"), FlannelSpec.of(ds("f:v1", List.of("-iface=eth0"), null)).iface());
        assertEquals("10.0.0.1", FlannelSpec.of(ds("f:v1", List.of("--iface-can-reach=10.0.0.1"), null)).ifaceCanReach());
        assertTrue(FlannelSpec.of(ds("f:v1", List.of("--iface-can-reach", "10.0.0.1"), null)).bound());
        // an empty value selects nothing
        assertFalse(FlannelSpec.of(ds("f:v1", List.of("--iface="), null)).bound());
        // env only fills a flag the command line did not set
        assertEquals(List.of("eth1"), FlannelSpec.of(ds("f:v1", List.of("--iface=eth1"), "eth0")).iface());
        assertEquals(List.of("eth0", "eth2"), FlannelSpec.of(ds("f:v1", List.of(), "eth0, eth2")).iface());
    }

    @Test
    void flagsInsideAShellWrapper() {
        // kube-flannel manifests of some distributions start flanneld from a script
        DaemonSet wrapped = new DaemonSetBuilder().withNewMetadata().withName("kube-flannel").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName("kube-flannel").withImage("docker.io/flannel/flannel:v0.25.1")
                .withCommand("/bin/sh", "-c")
                .withArgs("mkdir -p /run/flannel && exec /opt/bin/flanneld --ip-masq --kube-subnet-mgr --iface=bond0")
                .endContainer().endSpec().endTemplate().endSpec().build();
        FlannelSpec s = FlannelSpec.of(wrapped);
        assertEquals("kube-flannel", s.container());
        assertEquals(List.of("bond0"), s.iface());
        assertEquals("v0.25.1", s.version());
        assertTrue(FlannelSpec.isFlannel(wrapped), "found by the flanneld in its script");
    }

    @Test
    void imageReferences() {
        assertEquals("v0.13.0", ImageRef.tag("quay.io/coreos/flannel:v0.13.0"));
        assertEquals("v0.11.0-amd64", ImageRef.tag("registry:5000/coreos/flannel:v0.11.0-amd64@sha256:abc"));
        assertNull(ImageRef.tag("registry:5000/coreos/flannel"));
        assertNull(ImageRef.tag("flannel@sha256:abc"));
        assertEquals("registry:5000/coreos/flannel", ImageRef.repository("registry:5000/coreos/flannel:v1"));
        assertEquals("quay.io/coreos/flannel", ImageRef.repository("quay.io/coreos/flannel"));
    }
}
