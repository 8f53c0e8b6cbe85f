package io.fleetdoctor.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The streaming decoder against the tree decoder (the previous behaviour) on every event the repository has,
 * every type encoded, and many thousand records made bad from them: each decodes to the same value or fails
 * with the same exception, message and field; the streaming decoder never accepts what the tree rejects.
 */
class StreamingDecoderTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final Instant T = Instant.parse("2020-12-22T13:00:00.123Z");
    private static final String LONG = "y".repeat(EventCodec.MAX_STRING + 1);
    /** Values put in place of every field and array item. */
    private static final List<String> VALUES = List.of("null", "true", "false", "0", "-1", "7", "1.5", "-0.0",
            "2147483648", "-2147483649", "12345678901234567890123", "1e400", "10.0", "\"\"", "\"x\"", "\"C_1\"",
            "\"2020-12-22T13:00:00Z\"", "\"2020-12-22T13:00:00+01:00\"", "\"2020-02-30T00:00:00Z\"",
            "\"io.fleetdoctor.signal.heartbeat.v1\"", "\"open\"", "\"info\"", "[]", "[\"a\"]", "[1]", "[null]",
            "[{}]", "{}", "{\"a\":\"b\"}", "{\"a\":1}", "\"" + LONG + "\"", "\"\\ud800\"", "\"\\u00e9\"");

    static List<String> valid() {
        List<String> out = new ArrayList<>(Fixtures.lines(Fixtures.SEED_TRACE));
        out.add(EventCodecTest.RESTART);
        List<EventData> all = List.of(
                new PodRestart("kube-system", "p", "c", "n", "kube-scheduler", true, 3,
                        new PodRestart.LastTermination("Error", 255, T, T)),
                new PodRestart("kube-system", "p", "c", "n", "kube-scheduler", false, 0,
                        new PodRestart.LastTermination(null, null, null, null)),
                new PodRestart("kube-system", "p", "c", "n", "etcd", true, 0, null),
                new ContainerLog("kube-system", "p", "c", "n", true, List.of("a", "é€😀", "z".repeat(4096))),
                new ContainerLog("kube-system", "p", "c", "n", false, List.of()),
                new ProcessIo("n", 10, List.of(new ProcessIo.Process(7, "flanneld", 1.5, 2e7),
                        new ProcessIo.Process(0, "x", 0, 0))),
                new ProcessIo("n", 0.5, List.of()),
                new NodeInterfaces("n", "10.0.0.1", "6.1", List.of(
                        new NodeInterfaces.Interface("eth0", true, true, List.of("10.0.0.1/24"), true),
                        new NodeInterfaces.Interface("bond0", false, true, List.of(), false, "bond",
                                List.of("eth0", "eth1")))),
                new NodeInterfaces("n", null, null, List.of()),
                new FlannelConfig("kube-system", "ds", "kube-flannel", "img:v1", "v1", List.of("/opt/bin/flanneld"),
                        List.of("--ip-masq", "--iface=eth0"), Map.of("A", "b", "C", ""), "42", 3, 2),
                new FlannelConfig("kube-system", "rke2-canal", "kube-flannel", "f:v1", null, List.of(), List.of(),
                        Map.of(), "1", 1, 1, Map.of("FLANNELD_IFACE", "configMapKeyRef c/k"), List.of("configMapRef e")),
                new Heartbeat(Heartbeat.CLUSTER_WATCHER, null),
                new Heartbeat("node-agent", "n1"),
                new Decision("inc-1", "flannel-iface", Decision.OPEN, "critical", 0.9, "s",
                        List.of(new Decision.Evidence("sig-1", "pod-restart", null, "fact"),
                                new Decision.Evidence("sig-2", "process-io", "n1", "fact 2")),
                        new Decision.Recommendation(Decision.Recommendation.FLANNEL_IFACE_FIX, "kube-system",
                                List.of("ds"), "kube-flannel", "img:v1", "img:v2", List.of("eth0"), "^eth.*",
                                List.of("n3"), true)),
                new Decision("inc-1", "r", Decision.RESOLVED, "info", 0, "s", List.of(), null),
                new Remediation("plan-1", "inc-1", "APPROVED", "PENDING_APPROVAL", "alice", "ok", T),
                new Remediation("plan-1", "inc-1", "PENDING_APPROVAL", null, "system", null, T));
        for (EventData d : all) {
            out.add(EventCodec.encodeToString(CloudEvent.of("id-1", "/clusters/c1/collector", T, "c1", "ns/x", d)));
            out.add(EventCodec.encodeToString(CloudEvent.of("id-2", "/s", T, "a.b-9", null, d)));
        }
        return out;
    }

    /** Two seed events of each type (the trace has hundreds alike) and every encoded one. */
    static List<String> toMangle() {
        Map<String, Integer> perType = new java.util.HashMap<>();
        List<String> out = new ArrayList<>();
        for (String s : valid()) {
            String type = s.replaceAll("(?s).*\"type\":\"([^\"]*)\".*", "$1");
            if (!s.contains("demo-1") || perType.merge(type, 1, Integer::sum) <= 2) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void validEventsAreDecodedByTheStreamingDecoderToWhatTheTreeGave() {
        for (String s : valid()) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            CloudEvent<?> streamed = StreamingDecoder.decode(b);
            assertNotNull(streamed, s);
            assertEquals(EventCodec.decodeTree(b), streamed, s);
        }
    }

    /** Attribute order is free: data before type is read after the envelope (a second parser over its bytes). */
    @Test
    void dataBeforeTypeIsStreamedToo() throws Exception {
        for (String s : toMangle()) {
            ObjectNode root = (ObjectNode) M.readTree(s);
            ObjectNode reordered = M.createObjectNode();
            reordered.set("data", root.get("data"));
            root.fields().forEachRemaining(e -> reordered.set(e.getKey(), e.getValue()));
            byte[] b = ("  " + reordered).getBytes(StandardCharsets.UTF_8); // offsets not at 0
            CloudEvent<?> streamed = StreamingDecoder.decode(b);
            assertNotNull(streamed, reordered.toString());
            assertEquals(EventCodec.decodeTree(s.getBytes(StandardCharsets.UTF_8)), streamed);
        }
    }

    @Test
    void everyMangledRecordHasTheTreeDecodersOutcome() throws Exception {
        Random rnd = new Random(12);
        int records = 0, streamed = 0;
        for (String s : toMangle()) {
            for (String bad : mangled(s, rnd)) {
                records++;
                if (compare(bad.getBytes(StandardCharsets.UTF_8))) {
                    streamed++;
                }
            }
        }
        for (String s : List.of(valid().get(0), valid().get(valid().size() - 5))) { // every truncation, byte flips
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (int n = 0; n < b.length; n++) {
                compare(java.util.Arrays.copyOf(b, n));
                records++;
            }
            for (int i = 0; i < 3000; i++) {
                byte[] c = b.clone();
                c[rnd.nextInt(c.length)] = "\"\\{}[],:0-e.n \u0000".getBytes(StandardCharsets.UTF_8)[rnd.nextInt(15)];
                if (rnd.nextBoolean()) {
                    c[rnd.nextInt(c.length)] = (byte) rnd.nextInt(256);
                }
                compare(c);
                records++;
            }
        }
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[1 + rnd.nextInt(200)];
            rnd.nextBytes(b);
            b[0] = '{';
            compare(b);
            records++;
        }
        for (String s : List.of("", " ", "null", "[1]", "\"x\"", "1", "{}", "{\"a\":1}{", "{nope")) {
            compare(s.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(records > 20_000, "records " + records);
        assertTrue(streamed > 2_000, "the streaming decoder took " + streamed + " of " + records);
    }

    /** Same outcome of decode and decodeTree; the streaming decoder declines what the tree rejects. */
    private static boolean compare(byte[] b) {
        String what = new String(b, StandardCharsets.UTF_8);
        CloudEvent<?> streamed = StreamingDecoder.decode(b);
        Object tree, decoded;
        try {
            tree = EventCodec.decodeTree(b);
        } catch (RuntimeException e) {
            tree = outcome(e);
        }
        try {
            decoded = EventCodec.decode(b);
        } catch (RuntimeException e) {
            decoded = outcome(e);
        }
        assertEquals(tree, decoded, what);
        if (streamed != null) {
            if (!(tree instanceof CloudEvent<?>)) {
                fail("streaming accepted what the tree rejects (" + tree + "): " + what);
            }
            assertEquals(tree, streamed, what);
        }
        return streamed != null;
    }

    private static String outcome(RuntimeException e) {
        return e.getClass().getName() + " " + e.getMessage()
                + (e instanceof InvalidEventException i ? " field=" + i.field() : "");
    }

    /** Each field removed, each value replaced, a field repeated, unknown fields added, the order changed. */
    private static Set<String> mangled(String s, Random rnd) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        ObjectNode root = (ObjectNode) M.readTree(s);
        List<List<Object>> paths = new ArrayList<>();
        paths(root, new ArrayList<>(), paths);
        for (List<Object> path : paths) {
            ObjectNode copy = root.deepCopy();
            remove(copy, path);
            out.add(copy.toString());
            for (String v : VALUES) {
                if (rnd.nextInt(3) == 0) { // a third of them, to keep the test quick; the seed is fixed
                    copy = root.deepCopy();
                    set(copy, path, M.readTree(v));
                    out.add(copy.toString());
                }
            }
            if (path.get(path.size() - 1) instanceof String name) { // the field again, before and after
                JsonNode parent = at(root, path.subList(0, path.size() - 1));
                String field = M.writeValueAsString(name) + ":";
                String value = M.writeValueAsString(parent.get(name));
                String other = VALUES.get(rnd.nextInt(VALUES.size()));
                out.add(write(root, path.subList(0, path.size() - 1), field + other + ",", ""));
                out.add(write(root, path.subList(0, path.size() - 1), "", "," + field + other));
                out.add(write(root, path.subList(0, path.size() - 1), field + value + ",", ""));
            }
        }
        for (List<Object> path : paths) { // an unknown field in every object
            JsonNode n = at(root, path);
            if (n.isObject()) {
                out.add(write(root, path, "\"zz\":" + VALUES.get(rnd.nextInt(VALUES.size())) + ",", ""));
                out.add(write(root, path, "\"zz\":{\"a\":[1,{\"b\":\"\\u00e9\"}],\"c\":null,\"d\":1e5},", ""));
            }
        }
        out.add(write(root, List.of(), "\"data\":" + root.get("data") + ",", "")); // data before type
        ObjectNode reordered = M.createObjectNode();
        reordered.set("data", root.get("data"));
        root.fields().forEachRemaining(e -> reordered.set(e.getKey(), e.getValue()));
        out.add(reordered.toString());
        out.add(reordered.toString().replace("\"type\":\"", "\"type\":\"x"));
        out.add(s + " trailing");
        out.add(s + "}");
        return out;
    }

    /** Paths of every value below the root: field names and array indexes. */
    private static void paths(JsonNode n, List<Object> path, List<List<Object>> out) {
        if (!path.isEmpty()) {
            out.add(List.copyOf(path));
        }
        if (n.isObject()) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                path.add(it.next());
                paths(n.get((String) path.get(path.size() - 1)), path, out);
                path.remove(path.size() - 1);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < Math.min(n.size(), 3); i++) { // the first items stand for the rest
                path.add(i);
                paths(n.get(i), path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    private static JsonNode at(JsonNode n, List<Object> path) {
        for (Object p : path) {
            n = p instanceof String f ? n.get(f) : n.get((Integer) p);
        }
        return n;
    }

    private static void remove(JsonNode root, List<Object> path) {
        JsonNode parent = at(root, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        if (last instanceof String f) {
            ((ObjectNode) parent).remove(f);
        } else {
            ((ArrayNode) parent).remove((Integer) last);
        }
    }

    private static void set(JsonNode root, List<Object> path, JsonNode v) {
        JsonNode parent = at(root, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        if (last instanceof String f) {
            ((ObjectNode) parent).set(f, v);
        } else {
            ((ArrayNode) parent).set((Integer) last, v);
        }
    }

    /** The root as JSON with raw text put first and last inside the object at {@code path}. */
    private static String write(JsonNode root, List<Object> path, String first, String last) {
        String marker = "\"__marker__\"";
        JsonNode copy = root.deepCopy();
        JsonNode target = at(copy, path);
        String inner = target.toString();
        if (path.isEmpty()) {
            return "{" + first + inner.substring(1, inner.length() - 1) + last + "}";
        }
        set(copy, path, M.getNodeFactory().textNode("__marker__"));
        return copy.toString().replace(marker, "{" + first + inner.substring(1, inner.length() - 1) + last + "}");
    }

    @Test
    void clusterIdIsThePattern() {
        Random rnd = new Random(3);
        String chars = "az09-._A";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = rnd.nextInt(i % 10 == 0 ? 70 : 6);
            for (int k = 0; k < n; k++) {
                s.append(chars.charAt(rnd.nextInt(chars.length())));
            }
            assertEquals(EventCodec.CLUSTER_ID.matcher(s).matches(), StreamingDecoder.clusterId(s.toString()), s.toString());
        }
    }

    @Test
    void utf8OverIsTheEncodedLengthOverTheLimit() {
        Random rnd = new Random(5);
        char[] chars = {'a', 'é', '€', '\ud83d', '\ude00', '\ud800', '\udc00'};
        int over = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = rnd.nextInt(2) == 0 ? rnd.nextInt(10) : 1300 + rnd.nextInt(3000);
            String ascii = rnd.nextInt(4) == 0 ? "a".repeat(rnd.nextInt(4200)) : "";
            for (int k = 0; k < n; k++) {
                s.append(chars[rnd.nextInt(chars.length)]);
            }
            String t = ascii + s;
            boolean expected = t.getBytes(StandardCharsets.UTF_8).length > ContainerLog.MAX_LINE_BYTES;
            assertEquals(expected, StreamingDecoder.utf8Over(t, ContainerLog.MAX_LINE_BYTES), t);
            over += expected ? 1 : 0;
        }
        assertTrue(over > 1000 && over < 19_000, "over the limit: " + over);
    }
}
