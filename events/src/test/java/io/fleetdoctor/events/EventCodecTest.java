package io.fleetdoctor.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventCodecTest {
    static final String RESTART = """
            {"specversion":"1.0","id":"x-1","source":"/clusters/c1/collector","type":"io.fleetdoctor.signal.pod-restart.v1",
             "time":"2020-12-22T13:02:00+01:00","cluster":"c1","extra":"ignored",
             "data":{"namespace":"kube-system","pod":"p","container":"c","node":"n","component":"kube-scheduler",
                     "controlPlane":true,"restartCount":2,"unknown":1,
                     "lastTermination":{"reason":"Error","exitCode":255,"startedAt":"2020-12-22T12:52:00Z","finishedAt":null}}}
            """;

    /**
     * {@link EventCodec#encode} writes with jackson-core alone; byte for byte what {@code ObjectMapper.writeValueAsBytes}
     * wrote for the same tree, on every event of StreamingDecoderTest's corpus (the seed trace and one of each kind).
     */
    @Test
    void encodeWritesWhatTheObjectMapperWrote() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> corpus = StreamingDecoderTest.valid();
        for (String json : corpus) {
            CloudEvent<?> e = EventCodec.decode(json);
            org.junit.jupiter.api.Assertions.assertArrayEquals(mapper.writeValueAsBytes(EventCodec.toJson(e)),
                    EventCodec.encode(e), json);
        }
        org.junit.jupiter.api.Assertions.assertTrue(corpus.size() > 300, "corpus: " + corpus.size());
    }

    @Test
    void decodesAndIgnoresUnknownFields() {
        CloudEvent<PodRestart> e = EventCodec.decode(RESTART).as(PodRestart.class);
        assertEquals(Instant.parse("2020-12-22T12:02:00Z"), e.time());
        assertEquals(2, e.data().restartCount());
        assertEquals(255, e.data().lastTermination().exitCode());
        assertNull(e.data().lastTermination().finishedAt());
        assertNull(e.subject());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing id            | \"id\":\"x-1\",                          |                          | id",
            "bad spec version      | \"specversion\":\"1.0\"                   | \"specversion\":\"0.3\"   | specversion",
            "unknown type          | pod-restart.v1                          | pod-restart.v9           | type",
            "bad cluster id        | \"cluster\":\"c1\"                        | \"cluster\":\"C_1\"       | cluster",
            "time not RFC 3339     | 2020-12-22T13:02:00+01:00               | 22/12/2020               | time",
            "negative count        | \"restartCount\":2                        | \"restartCount\":-1       | data.restartCount",
            "count is a string     | \"restartCount\":2                        | \"restartCount\":\"2\"    | data.restartCount",
            "boolean is a number   | \"controlPlane\":true                     | \"controlPlane\":1        | data.controlPlane",
            "missing pod           | \"pod\":\"p\",                             |                          | data.pod",
            "bad nested time       | \"startedAt\":\"2020-12-22T12:52:00Z\"     | \"startedAt\":\"yesterday\" | data.lastTermination.startedAt",
    })
    void rejectsWithTheFieldNamed(String name, String from, String to, String field) {
        String bad = RESTART.replace(from.strip(), to == null ? "" : to.strip());
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventCodec.decode(bad));
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void rejectsNonJsonAndNonObjects() {
        assertNull(assertThrows(InvalidEventException.class, () -> EventCodec.decode("{nope")).field());
        assertNull(assertThrows(InvalidEventException.class, () -> EventCodec.decode("[1]")).field());
        assertEquals("data", assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(RESTART.replaceFirst("\"data\":\\{", "\"data\":[],\"x\":{"))).field());
    }

    @Test
    void rejectsRangeErrorsInNestedArrays() {
        String io = """
                {"specversion":"1.0","id":"i","source":"s","type":"io.fleetdoctor.signal.process-io.v1",
                 "time":"2020-12-22T13:00:10.000Z","cluster":"c1",
                 "data":{"node":"n","intervalSeconds":10,"processes":[{"pid":1,"name":"a","readBytesPerSec":1,"writeBytesPerSec":-5}]}}
                """;
        assertEquals("data.processes[0].writeBytesPerSec",
                assertThrows(InvalidEventException.class, () -> EventCodec.decode(io)).field());
        assertEquals("data.intervalSeconds", assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(io.replace("\"intervalSeconds\":10", "\"intervalSeconds\":0"))).field());
    }

    @Test
    void roundTripsEveryType() {
        Instant t = Instant.parse("2020-12-22T13:00:00.123Z");
        List<EventData> all = List.of(
                new PodRestart("kube-system", "p", "c", "n", "kube-scheduler", true, 3,
                        new PodRestart.LastTermination("Error", 255, t, t)),
                new PodRestart("kube-system", "p", "c", "n", "kube-scheduler", true, 0, null),
                new ContainerLog("kube-system", "p", "c", "n", true, List.of("a", "b")),
                new ProcessIo("n", 10, List.of(new ProcessIo.Process(7, "flanneld", 1.5, 2e7))),
                new NodeInterfaces("n", "10.0.0.1", null, List.of(
                        new NodeInterfaces.Interface("eth0", true, true, List.of("10.0.0.1/24"), true))),
                new FlannelConfig("kube-system", "ds", "kube-flannel", "img:v1", "v1", List.of("/opt/bin/flanneld"),
                        List.of("--ip-masq"), Map.of("A", "b"), "42", 3, 2),
                new Heartbeat(Heartbeat.CLUSTER_WATCHER, null),
                new Decision("inc-1", "flannel-iface", Decision.OPEN, "critical", 0.9, "s",
                        List.of(new Decision.Evidence("sig-1", "pod-restart", null, "fact")),
                        new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, "kube-system",
                                List.of("ds"), "kube-flannel", "img:v1", null, List.of("eth0"), null, List.of())),
                new Remediation("plan-1", "inc-1", "APPROVED", "PENDING_APPROVAL", "alice", "ok", t));
        for (EventData d : all) {
            CloudEvent<?> e = CloudEvent.of("id-" + d.getClass().getSimpleName(), "/clusters/c1/collector", t, "c1",
                    "kube-system/x", d);
            assertEquals(e, EventCodec.decode(EventCodec.encode(e)), d.getClass().getSimpleName());
        }
        assertEquals("2020-12-22T13:00:00.123Z", EventCodec.formatTime(t));
        assertEquals("2020-12-22T13:00:00.000Z", EventCodec.formatTime(Instant.parse("2020-12-22T13:00:00Z")));
    }

    /** Fields added to .v1 types: decoded when present, empty when absent, written only when set. */
    @Test
    void addedFieldsAreOptionalAndOldEventsReencodeUnchanged() {
        String old = "{\"specversion\":\"1.0\",\"id\":\"n1\",\"source\":\"/clusters/c1/nodes/n1/agent\","
                + "\"type\":\"io.fleetdoctor.signal.node-interfaces.v1\",\"time\":\"2026-11-30T10:00:00Z\",\"cluster\":\"c1\","
                + "\"data\":{\"node\":\"n1\",\"hostIP\":null,\"kernelVersion\":null,\"interfaces\":[{\"name\":\"eth0\","
                + "\"physical\":true,\"up\":true,\"addresses\":[\"10.0.0.1/24\"],\"defaultRoute\":true}]}}";
        NodeInterfaces.Interface i = EventCodec.decode(old).as(NodeInterfaces.class).data().interfaces().get(0);
        assertNull(i.kind());
        assertEquals(List.of(), i.lower());
        assertEquals("physical", i.effectiveKind());
        assertFalse(new String(EventCodec.encode(EventCodec.decode(old)), java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"kind\""), "an old event stays as it was");

        NodeInterfaces withKind = new NodeInterfaces("n1", "10.0.0.1", null, List.of(new NodeInterfaces.Interface(
                "bond0", false, true, List.of("10.0.0.1/24"), true, "bond", List.of("eth0", "eth1"))));
        CloudEvent<NodeInterfaces> e = CloudEvent.of("n2", CloudEvent.collectorSource("c1"),
                java.time.Instant.parse("2026-11-30T10:00:00Z"), "c1", null, withKind);
        NodeInterfaces back = EventCodec.decode(EventCodec.encode(e)).as(NodeInterfaces.class).data();
        assertEquals(withKind, back);

        FlannelConfig fc = new FlannelConfig("kube-system", "rke2-canal", "kube-flannel", "f:v1", "v1", List.of(),
                List.of(), java.util.Map.of(), "1", 1, 1, java.util.Map.of("FLANNELD_IFACE",
                "configMapKeyRef rke2-canal-config/canal_iface"), List.of("configMapRef flannel-env"));
        CloudEvent<FlannelConfig> f = CloudEvent.of("f1", CloudEvent.collectorSource("c1"),
                java.time.Instant.parse("2026-11-30T10:00:00Z"), "c1", null, fc);
        assertEquals(fc, EventCodec.decode(EventCodec.encode(f)).as(FlannelConfig.class).data());
    }
}
