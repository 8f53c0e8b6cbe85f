package io.fleetdoctor.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one codec for the structured JSON form of the contract. {@link #decode} validates every
 * required attribute, the cluster id syntax, the RFC 3339 time and each data field's type and range,
 * and names the bad field in its {@link InvalidEventException}. Unknown attributes and data fields
 * are ignored, as the contract requires. Thread-safe.
 */
public final class EventCodec {
    /** Cluster id syntax of EVENTS.md (a DNS-label-like name, dots allowed). */
    public static final Pattern CLUSTER_ID = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    /**
     * Writes the events: jackson-core only. The {@link ObjectMapper} (databind's serializers and deserializers, ~270
     * classes) is created on the first decode ({@link #mapper()}), so a process that only encodes (the node agent,
     * whose RSS target is 64 MiB) never loads it.
     */
    private static final JsonFactory WRITER = new JsonFactory();
    /** Bounds of EVENTS.md ("Limits"): items in one array or object, and characters in one string field. */
    public static final int MAX_ITEMS = 4096;
    public static final int MAX_STRING = 16 * 1024;
    private static final JsonNodeFactory NF = JsonNodeFactory.instance;
    private static final DateTimeFormatter TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(java.time.ZoneOffset.UTC);

    private EventCodec() {
    }

    /** The mapper of the tree decoder and the streaming decoder's factory, created on first use. */
    static ObjectMapper mapper() {
        return Mapper.INSTANCE;
    }

    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }

    /**
     * The event, or an {@link InvalidEventException} naming the bad field. Performance: a valid event is read by
     * the {@link StreamingDecoder}, without a JSON tree; a record it declines is decoded by the tree decoder,
     * which accepts or rejects it with the message it always gave.
     */
    public static CloudEvent<?> decode(byte[] json) {
        if (json == null) {
            throw new InvalidEventException(null, "empty record");
        }
        CloudEvent<?> e = StreamingDecoder.decode(json);
        return e != null ? e : decodeTree(json);
    }

    /** The tree decoder: the reference for what is valid and the error of every invalid record. */
    static CloudEvent<?> decodeTree(byte[] json) {
        JsonNode root;
        try {
            root = mapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidEventException(null, "not JSON: " + firstLine(e.getMessage()));
        }
        return decode(root);
    }

    public static CloudEvent<?> decode(String json) {
        if (json == null) {
            throw new InvalidEventException(null, "empty record");
        }
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static CloudEvent<?> decode(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidEventException(null, "not a JSON object");
        }
        String spec = text(root, "specversion", true);
        if (!CloudEvent.SPEC_VERSION.equals(spec)) {
            throw new InvalidEventException("specversion", "must be \"1.0\", was \"" + spec + "\"");
        }
        String id = text(root, "id", true);
        if (id.isEmpty()) {
            throw new InvalidEventException("id", "must not be empty");
        }
        String source = text(root, "source", true);
        if (source.isEmpty()) {
            throw new InvalidEventException("source", "must not be empty");
        }
        String typeId = text(root, "type", true);
        EventType type = EventType.byId(typeId);
        if (type == null) {
            throw new InvalidEventException("type", "unknown type \"" + typeId + "\"");
        }
        Instant time = time(root, "time", true);
        String cluster = text(root, "cluster", true);
        if (!CLUSTER_ID.matcher(cluster).matches()) {
            throw new InvalidEventException("cluster", "\"" + cluster + "\" is not a valid cluster id");
        }
        String subject = text(root, "subject", false);
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new InvalidEventException("data", data == null || data.isNull() ? "is required" : "must be an object");
        }
        EventData payload = decodeData(type, new Obj(data, "data"));
        return new CloudEvent<>(id, source, type, time, cluster, subject, payload);
    }

    private static EventData decodeData(EventType type, Obj d) {
        return switch (type) {
            case POD_RESTART -> new PodRestart(d.str("namespace"), d.str("pod"), d.str("container"), d.str("node"),
                    d.str("component"), d.bool("controlPlane"), d.intMin("restartCount", 0),
                    d.optObj("lastTermination") == null ? null : lastTermination(d.optObj("lastTermination")));
            case CONTAINER_LOG -> {
                List<String> lines = d.strings("lines");
                if (lines.size() > ContainerLog.MAX_LINES) {
                    throw new InvalidEventException("data.lines", "at most " + ContainerLog.MAX_LINES + " lines");
                }
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).getBytes(StandardCharsets.UTF_8).length > ContainerLog.MAX_LINE_BYTES) {
                        throw new InvalidEventException("data.lines[" + i + "]", "longer than 4 KiB");
                    }
                }
                yield new ContainerLog(d.str("namespace"), d.str("pod"), d.str("container"), d.str("node"),
                        d.bool("previous"), lines);
            }
            case PROCESS_IO -> {
                double interval = d.num("intervalSeconds");
                if (!(interval > 0)) {
                    throw new InvalidEventException("data.intervalSeconds", "must be > 0");
                }
                List<ProcessIo.Process> ps = new ArrayList<>();
                for (Obj p : d.objects("processes")) {
                    ps.add(new ProcessIo.Process(p.intMin("pid", 0), p.str("name"),
                            p.numMin("readBytesPerSec", 0), p.numMin("writeBytesPerSec", 0)));
                }
                yield new ProcessIo(d.str("node"), interval, ps);
            }
            case NODE_INTERFACES -> {
                List<NodeInterfaces.Interface> ifs = new ArrayList<>();
                for (Obj i : d.objects("interfaces")) {
                    ifs.add(new NodeInterfaces.Interface(i.str("name"), i.bool("physical"), i.bool("up"),
                            i.strings("addresses"), i.bool("defaultRoute"), i.optStr("kind"), i.optStrings("lower")));
                }
                yield new NodeInterfaces(d.str("node"), d.optStr("hostIP"), d.optStr("kernelVersion"), ifs);
            }
            case FLANNEL_CONFIG -> new FlannelConfig(d.str("namespace"), d.str("daemonSet"), d.str("container"),
                    d.str("image"), d.optStr("version"), d.strings("command"), d.strings("args"),
                    d.stringMap("env"), d.str("resourceVersion"), d.intMin("desiredNodes", 0),
                    d.intMin("readyNodes", 0), d.optStringMap("envRefs"), d.optStrings("envFrom"));
            case HEARTBEAT -> new Heartbeat(d.str("component"), d.optStr("node"));
            case DECISION -> {
                String status = d.str("status");
                if (!List.of(Decision.OPEN, Decision.UPDATED, Decision.RESOLVED).contains(status)) {
                    throw new InvalidEventException("data.status", "must be open, updated or resolved");
                }
                String severity = d.str("severity");
                if (!List.of("critical", "warning", "info").contains(severity)) {
                    throw new InvalidEventException("data.severity", "must be critical, warning or info");
                }
                double confidence = d.num("confidence");
                if (confidence < 0 || confidence > 1) {
                    throw new InvalidEventException("data.confidence", "must be within 0..1");
                }
                List<Decision.Evidence> ev = new ArrayList<>();
                for (Obj e : d.objects("evidence")) {
                    ev.add(new Decision.Evidence(e.str("signalId"), e.str("type"), e.optStr("node"), e.str("fact")));
                }
                Obj r = d.optObj("recommendation");
                Decision.Recommendation rec = r == null ? null : new Decision.Recommendation(r.str("action"),
                        r.str("namespace"), r.strings("daemonSets"), r.str("container"), r.str("currentImage"),
                        r.optStr("targetImage"), r.strings("iface"), r.optStr("ifaceRegex"),
                        r.strings("nodesWithoutInventory"), r.optBool("bindingOk"));
                yield new Decision(d.str("incidentId"), d.str("rule"), status, severity, confidence,
                        d.str("summary"), ev, rec);
            }
            case REMEDIATION -> new Remediation(d.str("planId"), d.str("incidentId"), d.str("state"),
                    d.optStr("previousState"), d.str("actor"), d.optStr("reason"), time(d.node, "data.at", "at", true));
        };
    }

    private static PodRestart.LastTermination lastTermination(Obj t) {
        return new PodRestart.LastTermination(t.optStr("reason"), t.optInt("exitCode"),
                time(t.node, t.p("startedAt"), "startedAt", false),
                time(t.node, t.p("finishedAt"), "finishedAt", false));
    }

    // ---------------------------------------------------------------- encoding

    /** The structured JSON form, UTF-8. */
    public static byte[] encode(CloudEvent<?> event) {
        // the bytes ObjectMapper.writeValueAsBytes wrote (its defaults: no null or empty-array trimming, no sorting);
        // EventCodecTest compares the two
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            write(g, toJson(event));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The tree as JsonNode.serialize writes it under ObjectMapper's defaults, without a SerializerProvider. */
    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        if (n.isObject()) {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                g.writeFieldName(f.getKey());
                write(g, f.getValue());
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode item : n) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (n.isTextual()) {
            g.writeString(n.textValue());
        } else if (n.isBoolean()) {
            g.writeBoolean(n.booleanValue());
        } else if (n.isNull()) {
            g.writeNull();
        } else if (n.isInt()) {
            g.writeNumber(n.intValue());
        } else if (n.isLong()) {
            g.writeNumber(n.longValue());
        } else if (n.isDouble()) {
            g.writeNumber(n.doubleValue());
        } else {
            throw new IllegalStateException("no encoding for a " + n.getNodeType() + " node: " + n);
        }
    }

    public static String encodeToString(CloudEvent<?> event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    public static ObjectNode toJson(CloudEvent<?> e) {
        ObjectNode o = NF.objectNode();
        o.put("specversion", CloudEvent.SPEC_VERSION);
        o.put("id", e.id());
        o.put("source", e.source());
        o.put("type", e.type().id());
        o.put("time", formatTime(e.time()));
        o.put("cluster", e.cluster());
        if (e.subject() != null) {
            o.put("subject", e.subject());
        }
        o.put("datacontenttype", "application/json");
        o.set("data", dataJson(e.data()));
        return o;
    }

    /** RFC 3339 UTC with milliseconds, as the collectors write it. */
    public static String formatTime(Instant t) {
        return TIME_FORMAT.format(t);
    }

    private static ObjectNode dataJson(EventData data) {
        ObjectNode d = NF.objectNode();
        if (data instanceof PodRestart p) {
            d.put("namespace", p.namespace()).put("pod", p.pod()).put("container", p.container())
                    .put("node", p.node()).put("component", p.component())
                    .put("controlPlane", p.controlPlane()).put("restartCount", p.restartCount());
            if (p.lastTermination() == null) {
                d.putNull("lastTermination");
            } else {
                PodRestart.LastTermination t = p.lastTermination();
                ObjectNode lt = d.putObject("lastTermination");
                lt.put("reason", t.reason());
                lt.put("exitCode", t.exitCode());
                lt.put("startedAt", t.startedAt() == null ? null : formatTime(t.startedAt()));
                lt.put("finishedAt", t.finishedAt() == null ? null : formatTime(t.finishedAt()));
            }
        } else if (data instanceof ContainerLog l) {
            d.put("namespace", l.namespace()).put("pod", l.pod()).put("container", l.container())
                    .put("node", l.node()).put("previous", l.previous());
            strings(d.putArray("lines"), l.lines());
        } else if (data instanceof ProcessIo io) {
            d.put("node", io.node()).put("intervalSeconds", io.intervalSeconds());
            ArrayNode ps = d.putArray("processes");
            for (ProcessIo.Process p : io.processes()) {
                ps.addObject().put("pid", p.pid()).put("name", p.name())
                        .put("readBytesPerSec", p.readBytesPerSec()).put("writeBytesPerSec", p.writeBytesPerSec());
            }
        } else if (data instanceof NodeInterfaces n) {
            d.put("node", n.node()).put("hostIP", n.hostIP()).put("kernelVersion", n.kernelVersion());
            ArrayNode ifs = d.putArray("interfaces");
            for (NodeInterfaces.Interface i : n.interfaces()) {
                ObjectNode io = ifs.addObject().put("name", i.name()).put("physical", i.physical()).put("up", i.up());
                strings(io.putArray("addresses"), i.addresses());
                io.put("defaultRoute", i.defaultRoute());
                if (i.kind() != null) { // added fields: absent for older agents, so their events re-encode unchanged
                    io.put("kind", i.kind());
                    strings(io.putArray("lower"), i.lower());
                }
            }
        } else if (data instanceof FlannelConfig f) {
            d.put("namespace", f.namespace()).put("daemonSet", f.daemonSet()).put("container", f.container())
                    .put("image", f.image()).put("version", f.version());
            strings(d.putArray("command"), f.command());
            strings(d.putArray("args"), f.args());
            ObjectNode env = d.putObject("env");
            new java.util.TreeMap<>(f.env()).forEach(env::put);
            d.put("resourceVersion", f.resourceVersion()).put("desiredNodes", f.desiredNodes())
                    .put("readyNodes", f.readyNodes());
            if (!f.envRefs().isEmpty()) { // added fields: written only when set, so older events re-encode unchanged
                ObjectNode refs = d.putObject("envRefs");
                new java.util.TreeMap<>(f.envRefs()).forEach(refs::put);
            }
            if (!f.envFrom().isEmpty()) {
                strings(d.putArray("envFrom"), f.envFrom());
            }
        } else if (data instanceof Heartbeat h) {
            d.put("component", h.component());
            if (h.node() != null) {
                d.put("node", h.node());
            }
        } else if (data instanceof Decision x) {
            d.put("incidentId", x.incidentId()).put("rule", x.rule()).put("status", x.status())
                    .put("severity", x.severity()).put("confidence", x.confidence()).put("summary", x.summary());
            ArrayNode ev = d.putArray("evidence");
            for (Decision.Evidence e : x.evidence()) {
                ev.addObject().put("signalId", e.signalId()).put("type", e.type()).put("node", e.node())
                        .put("fact", e.fact());
            }
            Decision.Recommendation r = x.recommendation();
            if (r == null) {
                d.putNull("recommendation");
            } else {
                ObjectNode ro = d.putObject("recommendation");
                ro.put("action", r.action()).put("namespace", r.namespace());
                strings(ro.putArray("daemonSets"), r.daemonSets());
                ro.put("container", r.container()).put("currentImage", r.currentImage())
                        .put("targetImage", r.targetImage());
                strings(ro.putArray("iface"), r.iface());
                ro.put("ifaceRegex", r.ifaceRegex());
                strings(ro.putArray("nodesWithoutInventory"), r.nodesWithoutInventory());
                if (r.bindingOk()) { // added field: written only when set
                    ro.put("bindingOk", true);
                }
            }
        } else if (data instanceof Remediation r) {
            d.put("planId", r.planId()).put("incidentId", r.incidentId()).put("state", r.state())
                .put("previousState", r.previousState()).put("actor", r.actor()).put("reason", r.reason())
                .put("at", formatTime(r.at()));
        }
        return d;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    // ---------------------------------------------------------------- validation helpers

    private static String text(JsonNode o, String name, boolean required) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidEventException(name, "is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException(name, "must be a string");
        }
        return bounded(v.textValue(), name);
    }

    private static String bounded(String s, String path) {
        if (s.length() > MAX_STRING) {
            throw new InvalidEventException(path, "longer than " + MAX_STRING + " characters");
        }
        return s;
    }

    private static JsonNode boundedItems(JsonNode v, String path) {
        if (v.size() > MAX_ITEMS) {
            throw new InvalidEventException(path, "more than " + MAX_ITEMS + " items");
        }
        return v;
    }

    private static Instant time(JsonNode o, String name, boolean required) {
        return time(o, name, name, required);
    }

    private static Instant time(JsonNode o, String path, String name, boolean required) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidEventException(path, "is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException(path, "must be an RFC 3339 time string");
        }
        Instant fast = canonicalTime(v.textValue());
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(v.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(path, "\"" + v.textValue() + "\" is not an RFC 3339 time");
        }
    }

    /**
     * Performance: the form every collector writes, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, read by hand. The
     * general {@code OffsetDateTime.parse} took ~10 % of the analyzer's CPU (profile of ./fleetdoctor bench).
     * Returns null for anything else (other offsets, lower case, out-of-range fields, ...): the caller then
     * parses it the general way, which accepts or rejects it with its message as before.
     */
    static Instant canonicalTime(String s) {
        int n = s.length();
        if (n < 20 || n == 21 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.') {
                return null;
            }
            int f = digits(s, 20, n - 21);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = n - 21; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The decimal value of {@code len} ASCII digits at {@code from}; -1 when one is not a digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * A JSON object plus its path, so every error names the field. Performance: the path is built only for an
     * error message (it was concatenated for every array item and field read: ~2 % of the analyzer's CPU).
     */
    private static final class Obj {
        final JsonNode node;
        private final Obj parent;
        private final String name;
        private final int index;

        Obj(JsonNode node, String path) {
            this(node, null, path, -1);
        }

        private Obj(JsonNode node, Obj parent, String name, int index) {
            this.node = node;
            this.parent = parent;
            this.name = name;
            this.index = index;
        }

        /** {@code data.processes[2]}: the parent's path, this object's field name and its index in an array. */
        String path() {
            String base = parent == null ? name : parent.p(name);
            return index < 0 ? base : base + "[" + index + "]";
        }

        private String p(String name) {
            return path() + "." + name;
        }

        private String bounded(String s, String name) {
            if (s.length() > MAX_STRING) {
                throw new InvalidEventException(p(name), "longer than " + MAX_STRING + " characters");
            }
            return s;
        }

        private JsonNode req(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw new InvalidEventException(p(name), "is required");
            }
            return v;
        }

        String str(String name) {
            JsonNode v = req(name);
            if (!v.isTextual()) {
                throw new InvalidEventException(p(name), "must be a string");
            }
            return bounded(v.textValue(), name);
        }

        String optStr(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw new InvalidEventException(p(name), "must be a string or null");
            }
            return bounded(v.textValue(), name);
        }

        boolean bool(String name) {
            JsonNode v = req(name);
            if (!v.isBoolean()) {
                throw new InvalidEventException(p(name), "must be a boolean");
            }
            return v.booleanValue();
        }

        int intMin(String name, int min) {
            JsonNode v = req(name);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new InvalidEventException(p(name), "must be an integer");
            }
            int i = v.intValue();
            if (i < min) {
                throw new InvalidEventException(p(name), "must be >= " + min + ", was " + i);
            }
            return i;
        }

        Integer optInt(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new InvalidEventException(p(name), "must be an integer or null");
            }
            return v.intValue();
        }

        double num(String name) {
            JsonNode v = req(name);
            if (!v.isNumber()) {
                throw new InvalidEventException(p(name), "must be a number");
            }
            double d = v.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new InvalidEventException(p(name), "must be finite");
            }
            return d;
        }

        double numMin(String name, double min) {
            double d = num(name);
            if (d < min) {
                throw new InvalidEventException(p(name), "must be >= " + min + ", was " + d);
            }
            return d;
        }

        Obj optObj(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isObject()) {
                throw new InvalidEventException(p(name), "must be an object or null");
            }
            return new Obj(v, this, name, -1);
        }

        private JsonNode array(String name) {
            JsonNode v = req(name);
            if (!v.isArray()) {
                throw new InvalidEventException(p(name), "must be an array");
            }
            if (v.size() > MAX_ITEMS) {
                boundedItems(v, p(name));
            }
            return v;
        }

        List<String> strings(String name) {
            JsonNode a = array(name);
            List<String> out = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (!v.isTextual()) {
                    throw new InvalidEventException(p(name) + "[" + i + "]", "must be a string");
                }
                if (v.textValue().length() > MAX_STRING) {
                    EventCodec.bounded(v.textValue(), p(name) + "[" + i + "]");
                }
                out.add(v.textValue());
            }
            return out;
        }

        /** An optional boolean: absent or null is false. */
        boolean optBool(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull() && bool(name);
        }

        /** An optional array of strings: absent or null is empty. */
        List<String> optStrings(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? List.of() : strings(name);
        }

        /** An optional object of strings: absent or null is empty. */
        Map<String, String> optStringMap(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? Map.of() : stringMap(name);
        }

        List<Obj> objects(String name) {
            JsonNode a = array(name);
            List<Obj> out = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (!v.isObject()) {
                    throw new InvalidEventException(p(name) + "[" + i + "]", "must be an object");
                }
                out.add(new Obj(v, this, name, i));
            }
            return out;
        }

        Map<String, String> stringMap(String name) {
            JsonNode v = req(name);
            if (!v.isObject()) {
                throw new InvalidEventException(p(name), "must be an object");
            }
            boundedItems(v, p(name));
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new InvalidEventException(p(name) + "." + e.getKey(), "must be a string");
                }
                out.put(EventCodec.bounded(e.getKey(), p(name)),
                        EventCodec.bounded(e.getValue().textValue(), p(name) + "." + e.getKey()));
            }
            return out;
        }
    }
}
