package io.fleetdoctor.simulator;

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

class FlannelBindingTest {
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
        FlannelBinding b = FlannelBinding.of(ds("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq",
                "--kube-subnet-mgr"), null));
        assertFalse(b.bound());
        assertEquals("eth1", b.chooseInterface(IFACES, "eth1"));
        assertFalse(b.fixes("eth1"));
        assertEquals("image v0.13.1-rc1, no --iface", b.describe());
    }

    @Test
    void theIncidentFixNeedsVersionAndEth0() {
        FlannelBinding fix = FlannelBinding.of(ds("quay.io/coreos/flannel:v0.13.0",
                List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"), null));
        assertEquals("eth0", fix.chooseInterface(IFACES, "eth1"));
        assertTrue(fix.fixes("eth0"));
        assertEquals("image v0.13.0, --iface=eth0", fix.describe());

        FlannelBinding rcBound = FlannelBinding.of(ds("quay.io/coreos/flannel:v0.13.1-rc1",
                List.of("--iface", "eth0"), null));
        assertFalse(rcBound.fixes(rcBound.chooseInterface(IFACES, "eth1")));

        FlannelBinding versionOnly = FlannelBinding.of(ds("quay.io/coreos/flannel:v0.13.0", List.of("--ip-masq"), null));
        assertFalse(versionOnly.fixes(versionOnly.chooseInterface(IFACES, "eth1")));
    }

    @Test
    void ifaceByIpRegexAndEnvAndNoMatch() {
        assertEquals("eth0", FlannelBinding.of(ds("f:v0.13.0", List.of("--iface=192.168.10.12"), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelBinding.of(ds("f:v0.13.0", List.of("--iface-regex=^192\\.168\\."), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelBinding.of(ds("f:v0.13.0", List.of("--iface-regex", "eth0"), null))
                .chooseInterface(IFACES, "eth1"));
        assertEquals("eth0", FlannelBinding.of(ds("f:v0.13.0", List.of(), "eth0")).chooseInterface(IFACES, "eth1"));
        assertEquals("eth1", FlannelBinding.of(ds("f:v0.13.0", List.of("--iface=bond0", "--iface=eth1"), null))
                .chooseInterface(IFACES, "eth1"));
        assertNull(FlannelBinding.of(ds("f:v0.13.0", List.of("--iface=ens192"), null)).chooseInterface(IFACES, "eth1"));
    }

    @Test
    void options() {
        Options o = Options.parse("--dir", "/tmp/x", "--nodes", "2", "--restart-every=1500ms", "--watch-stdin");
        assertEquals(List.of("master01", "node01"), o.nodeNames());
        assertEquals(Duration.ofMillis(1500), o.restartEvery());
        assertTrue(o.watchStdin());
        assertEquals("demo-1", o.cluster());
        assertEquals(Duration.ofSeconds(20), Options.parse("--dir", "d", "--restart-every", "20s").restartEvery());
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--nodes", "3"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--dir", "d", "--restart-every", "soon"));
    }
}
