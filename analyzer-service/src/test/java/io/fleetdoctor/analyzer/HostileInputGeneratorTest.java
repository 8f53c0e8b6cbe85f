package io.fleetdoctor.analyzer;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.InvalidEventException;
import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/** The fuzz generator makes only records a consumer must refuse: else the DLQ count would prove nothing. */
class HostileInputGeneratorTest {

    @Test
    void everyGeneratedRecordIsRefusedByTheCodecOrTheAnalyzersChecks() {
        String cluster = "fuzz-1";
        List<String> good = Fixtures.lines(Fixtures.SEED_TRACE).stream().map(l -> l.replace("demo-1", cluster)).toList();
        Random rnd = new Random(20261130);
        for (int i = 0; i < HostileInputTest.BAD; i++) {
            byte[] b = HostileInputTest.bad(i, rnd, good.get(rnd.nextInt(good.size())), cluster);
            if (b.length == 0 || b.length > 512 * 1024) {
                continue;
            }
            try {
                CloudEvent<?> e = EventCodec.decode(b);
                boolean refused = !e.type().isSignal() || !cluster.equals(e.cluster())
                        || e.time().isAfter(Instant.parse("2098-01-01T00:00:00Z"));
                if (!refused) {
                    fail("record " + i + " (kind " + i % 14 + ") is a valid signal: "
                            + new String(b, StandardCharsets.UTF_8).substring(0, Math.min(b.length, 300)));
                }
            } catch (InvalidEventException expected) {
                // refused with a reason
            }
        }
    }
}
