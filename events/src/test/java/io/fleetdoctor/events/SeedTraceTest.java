package io.fleetdoctor.events;

import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every line of the contract's example trace decodes, and re-encodes to an equal event. */
class SeedTraceTest {
    static final List<String> SEED = Fixtures.lines(Fixtures.SEED_TRACE);

    @Test
    void decodesEveryLineOfTheSeedTrace() {
        List<String> lines = SEED;
        assertEquals(791, lines.size());
        Map<EventType, Integer> counts = new EnumMap<>(EventType.class);
        for (String line : lines) {
            CloudEvent<?> e = EventCodec.decode(line);
            assertEquals("demo-1", e.cluster());
            assertTrue(e.type().isSignal());
            counts.merge(e.type(), 1, Integer::sum);
            assertEquals(e, EventCodec.decode(EventCodec.encode(e)), "round trip of " + e.id());
        }
        assertEquals(9, counts.get(EventType.POD_RESTART));
        assertEquals(5, counts.get(EventType.CONTAINER_LOG));
        assertEquals(537, counts.get(EventType.PROCESS_IO));
        assertEquals(3, counts.get(EventType.NODE_INTERFACES));
        assertEquals(1, counts.get(EventType.FLANNEL_CONFIG));
        assertEquals(236, counts.get(EventType.HEARTBEAT));
    }

    @Test
    void keepsTheFieldsOfTheFirstFlannelConfig() {
        String line = SEED.get(4);
        FlannelConfig f = EventCodec.decode(line).as(FlannelConfig.class).data();
        assertEquals("kube-flannel-ds", f.daemonSet());
        assertEquals("quay.io/coreos/flannel:v0.13.1-rc1", f.image());
        assertEquals(List.of("--ip-masq", "--kube-subnet-mgr"), f.args());
        assertEquals("1042", f.resourceVersion());
        assertEquals(3, f.desiredNodes());
    }
}
