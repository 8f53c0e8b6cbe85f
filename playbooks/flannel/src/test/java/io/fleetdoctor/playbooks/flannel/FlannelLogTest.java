package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.playbook.ClusterView;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** flanneld's startup lines, as flannel's pkg/ipmatch/match.go prints them. */
class FlannelLogTest {

    static List<ClusterView.Log> log(List<String> lines) {
        return List.of(new ClusterView.Log("s1", Instant.EPOCH, "kube-flannel-ds-x", "kube-flannel", "n1", false, lines));
    }

    @Test
    void theIncidentsStartLog() {
        FlannelLog.Choice c = FlannelLog.choice("n1", log(Fixtures.lines("logs/kube-flannel-start.log")));
        assertEquals("eth1", c.iface());
        assertEquals("the default route", c.how());
    }

    @Test
    void dualStackSearchAndNothing() {
        FlannelLog.Choice dual = FlannelLog.choice("n1", log(List.of(
                "I1130 10:00:01.000000       1 match.go:74] Searching for interface using 192.168.10.11",
                "I1130 10:00:01.000000       1 match.go:272] Using interface with name bond0 and v6 address fd00::11",
                "I1130 10:00:01.000000       1 match.go:269] Using interface with name bond0 and address 192.168.10.11")));
        assertEquals("bond0", dual.iface());
        assertEquals("192.168.10.11", dual.address(), "the v4 line wins");
        assertEquals("address 192.168.10.11", dual.how());
        FlannelLog.Choice v6only = FlannelLog.choice("n1", log(List.of(
                "I1130 10:00:01.000000       1 match.go:272] Using interface with name eth0 and v6 address fd00::11")));
        assertEquals("fd00::11", v6only.address());
        assertNull(FlannelLog.choice("n1", log(List.of("I1130 10:00:01.000000       1 main.go:520] Using lease"))));
    }

    @Test
    void aSimulatedFlanneldRewritesItsChoice() {
        assertEquals("I1 match.go:269] Using interface with name eth0 and address 10.0.0.1", FlannelLog.withChoice(
                "I1 match.go:269] Using interface with name eth1 and address 10.20.0.11", "eth0", "10.0.0.1"));
    }
}
