package io.fleetdoctor.bench;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.ProcessIo;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetGeneratorTest {

    @Test
    void everyRecordIsAValidSignalOfItsClusterWithAUniqueId() {
        FleetGenerator g = new FleetGenerator("t", 4, 6);
        List<FleetGenerator.Rec> recs = new ArrayList<>();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        g.setup(t, recs::add);
        for (int i = 0; i < 60; i++) {
            g.tick(i, t.plusSeconds(10L * (i + 1)), recs::add);
        }
        Map<EventType, Integer> byType = new EnumMap<>(EventType.class);
        Set<String> ids = new HashSet<>();
        for (FleetGenerator.Rec r : recs) {
            CloudEvent<?> e = EventCodec.decode(r.value()); // throws on anything the analyzer would dead-letter
            assertEquals(r.key(), e.cluster());
            assertTrue(e.type().isSignal());
            assertTrue(ids.add(e.id()), "duplicate id " + e.id());
            byType.merge(e.type(), 1, Integer::sum);
        }
        // 4 clusters x 6 nodes x 60 ticks of process-io; heartbeats on every third tick; rare restarts and configs
        assertEquals(4 * 6 * 60, byType.get(EventType.PROCESS_IO));
        assertEquals(20 * 4 * 7, byType.get(EventType.HEARTBEAT));
        assertEquals(4 * 6, byType.get(EventType.NODE_INTERFACES));
        assertTrue(byType.getOrDefault(EventType.POD_RESTART, 0) > 4 * 4, "worker restarts after the baselines");
        assertTrue(byType.getOrDefault(EventType.CONTAINER_LOG, 0) > 0);
        assertTrue(byType.get(EventType.FLANNEL_CONFIG) > 4);
    }

    @Test
    void processIoIsWhatTheCodecReads() {
        FleetGenerator g = new FleetGenerator("t", 1, 1);
        CloudEvent<?> e = EventCodec.decode(g.processIo("t-0", 0, "2026-01-01T00:00:10Z", 3).value());
        ProcessIo io = (ProcessIo) e.data();
        assertEquals("node-0", io.node());
        assertEquals("flanneld", io.processes().get(0).name());
        assertEquals(1200 + 93, io.processes().get(0).readBytesPerSec(), 0.0);
        assertEquals(Instant.parse("2026-01-01T00:00:10Z"), e.time());
    }

    @Test
    void nearMissKeepsFlannelIoUnderTheThresholdAndIncidentEndsAtTheCompletingLine() {
        IncidentTemplate t = new IncidentTemplate(FleetBench.COMPLETING_LINE);
        Instant at = Instant.parse("2026-01-01T01:00:00Z");
        List<FleetGenerator.Rec> inc = t.instantiate("inc-1", at, false, 0, t.completing);
        CloudEvent<?> last = EventCodec.decode(inc.get(inc.size() - 1).value());
        assertEquals(EventType.POD_RESTART, last.type());
        assertEquals(at, last.time());
        assertEquals("inc-1", last.cluster());
        for (FleetGenerator.Rec r : t.instantiate("near-1", at, true, 0, t.size() - 1)) {
            CloudEvent<?> e = EventCodec.decode(r.value());
            if (e.data() instanceof ProcessIo io) {
                for (ProcessIo.Process p : io.processes()) {
                    if (p.name().equals("flanneld")) {
                        assertTrue(p.readBytesPerSec() + p.writeBytesPerSec() < 10 * 1024 * 1024);
                    }
                }
            }
        }
    }
}
