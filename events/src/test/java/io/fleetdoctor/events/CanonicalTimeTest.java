package io.fleetdoctor.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** EventCodec's hand-read time form must agree with the general RFC 3339 parse wherever it answers. */
class CanonicalTimeTest {

    @Test
    void agreesWithTheGeneralParseOnRandomTimesAtEveryPrecision() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000));
            String full = t.toString(); // Instant.toString: 0, 3, 6 or 9 fraction digits
            String millis = EventCodec.formatTime(t);
            for (String s : List.of(full, millis)) {
                assertEquals(OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(),
                        EventCodec.canonicalTime(s), s);
            }
        }
        assertEquals(Instant.parse("2024-02-29T23:59:59.5Z"), EventCodec.canonicalTime("2024-02-29T23:59:59.5Z"));
        assertEquals(Instant.parse("2020-12-22T13:00:00Z"), EventCodec.canonicalTime("2020-12-22T13:00:00Z"));
    }

    @Test
    void leavesEverythingElseToTheGeneralParse() {
        for (String s : List.of("2020-12-22T13:00:00+01:00", "2020-12-22t13:00:00z", "2020-12-22T13:00:00.Z",
                "2023-02-29T00:00:00Z", "2020-13-01T00:00:00Z", "2020-12-22T24:00:00Z", "2020-12-22T13:60:00Z",
                "2020-12-22T13:00:60Z", "2020-12-22T13:00:00.1234567890Z", "2020-12-22 13:00:00Z", "20201222T130000Z",
                "+2020-12-22T13:00:00Z", "2020-12-22T13:00:0xZ", "2020-12-22T13:00:00,5Z")) {
            assertNull(EventCodec.canonicalTime(s), s);
        }
    }

    @Test
    void decodeStillNamesABadTime() {
        String bad = "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/clusters/c/collector\",\"type\":"
                + "\"io.fleetdoctor.signal.heartbeat.v1\",\"time\":\"2023-02-29T00:00:00Z\",\"cluster\":\"c\","
                + "\"data\":{\"component\":\"cluster-watcher\"}}";
        InvalidEventException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(bad));
        assertEquals("time: \"2023-02-29T00:00:00Z\" is not an RFC 3339 time", e.getMessage());
    }
}
