package io.fleetdoctor.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder of valid events: Jackson's streaming {@link JsonParser} read straight into the records.
 * Performance: {@code ObjectMapper.readTree} built a {@code JsonNode} tree per record (a map per object, a node per
 * value), 34 % of the analyzer's CPU in the profile of {@code ./fleetdoctor bench}; this reads each value once
 * into the field it belongs to.
 * <p>
 * It accepts exactly what {@link EventCodec#decodeTree} accepts, with the same value, and returns null for
 * anything else: a syntax error, a missing, null or ill-typed field, a value out of range, a field given twice
 * (the tree keeps the last one). {@link EventCodec#decode} then decodes that record with the tree decoder, which
 * names the error as before. Invalid records are rare (they go to the dead-letter topic) and pay for two
 * parses; valid ones for one, without a tree. {@code StreamingDecoderTest} compares both on a broad corpus.
 * Like the tree decoder, it reads the whole root object (so a syntax error anywhere in it is found) and nothing
 * after it. Not thread-safe: one instance per record.
 */
final class StreamingDecoder {
    private static final JsonFactory FACTORY = EventCodec.mapper().getFactory();

    /** Thrown to give a record to the tree decoder; no stack trace, no message (it is never shown). */
    private static final class Declined extends RuntimeException {
        Declined() {
            super(null, null, false, false);
        }
    }

    private static final Declined DECLINED = new Declined();

    private final byte[] json;
    private JsonParser p;

    private StreamingDecoder(byte[] json) {
        this.json = json;
    }

    /** The event, or null when the tree decoder must decide (see the class comment). */
    static CloudEvent<?> decode(byte[] json) {
        try {
            return new StreamingDecoder(json).event();
        } catch (IOException | RuntimeException e) { // Declined, a syntax error, or a record's own check
            return null;
        }
    }

    private CloudEvent<?> event() throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            p = parser;
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw DECLINED;
            }
            String spec = null, id = null, source = null, typeId = null, time = null, cluster = null, subject = null;
            EventType type = null;
            EventData data = null;
            int dataStart = -1, dataEnd = -1;
            int seen = 0;
            for (String f; (f = p.nextFieldName()) != null; ) {
                switch (f) {
                    case "specversion" -> { seen = once(seen, 1); spec = str(); }
                    case "id" -> { seen = once(seen, 2); id = str(); }
                    case "source" -> { seen = once(seen, 4); source = str(); }
                    case "type" -> {
                        seen = once(seen, 8);
                        typeId = str();
                        type = EventType.byId(typeId);
                        if (type == null) {
                            throw DECLINED;
                        }
                    }
                    case "time" -> { seen = once(seen, 16); time = str(); }
                    case "cluster" -> { seen = once(seen, 32); cluster = str(); }
                    case "subject" -> { seen = once(seen, 64); subject = optStr(); }
                    case "data" -> {
                        seen = once(seen, 128);
                        if (p.nextToken() != JsonToken.START_OBJECT) {
                            throw DECLINED;
                        }
                        if (type != null) {
                            data = data(type);
                        } else {
                            // data before type (the encoder writes type first): remember where it is, read it after
                            dataStart = (int) p.currentTokenLocation().getByteOffset();
                            skipRest();
                            dataEnd = (int) p.currentLocation().getByteOffset();
                        }
                    }
                    default -> skipValue(); // unknown attributes are ignored, as the contract requires
                }
            }
            end();
            if ((seen & (1 | 2 | 4 | 8 | 16 | 32 | 128)) != (1 | 2 | 4 | 8 | 16 | 32 | 128)
                    || !CloudEvent.SPEC_VERSION.equals(spec) || id.isEmpty() || source.isEmpty() || !clusterId(cluster)) {
                throw DECLINED;
            }
            if (data == null) {
                try (JsonParser sub = FACTORY.createParser(json, dataStart, dataEnd - dataStart)) {
                    p = sub;
                    p.nextToken();
                    data = data(type);
                }
            }
            return new CloudEvent<>(id, source, type, time(time, true), cluster, subject, data);
        }
    }

    /** {@link EventCodec#CLUSTER_ID} without a {@code Matcher} per record. */
    static boolean clusterId(String s) {
        int n = s.length();
        if (n < 1 || n > 63 || !alnum(s.charAt(0)) || !alnum(s.charAt(n - 1))) {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = s.charAt(i);
            if (!alnum(c) && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    // ---------------------------------------------------------------- data of each type (the parser is on '{')

    private EventData data(EventType type) throws IOException {
        return switch (type) {
            case POD_RESTART -> podRestart();
            case CONTAINER_LOG -> containerLog();
            case PROCESS_IO -> processIo();
            case NODE_INTERFACES -> nodeInterfaces();
            case FLANNEL_CONFIG -> flannelConfig();
            case HEARTBEAT -> heartbeat();
            case DECISION -> decision();
            case REMEDIATION -> remediation();
        };
    }

    private PodRestart podRestart() throws IOException {
        String namespace = null, pod = null, container = null, node = null, component = null;
        boolean controlPlane = false;
        int restartCount = 0;
        PodRestart.LastTermination last = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "namespace" -> { seen = once(seen, 1); namespace = str(); }
                case "pod" -> { seen = once(seen, 2); pod = str(); }
                case "container" -> { seen = once(seen, 4); container = str(); }
                case "node" -> { seen = once(seen, 8); node = str(); }
                case "component" -> { seen = once(seen, 16); component = str(); }
                case "controlPlane" -> { seen = once(seen, 32); controlPlane = bool(); }
                case "restartCount" -> { seen = once(seen, 64); restartCount = intMin(0); }
                case "lastTermination" -> { seen = once(seen, 128); last = optObj() ? lastTermination() : null; }
                default -> skipValue();
            }
        }
        need(seen, 127);
        return new PodRestart(namespace, pod, container, node, component, controlPlane, restartCount, last);
    }

    private PodRestart.LastTermination lastTermination() throws IOException {
        String reason = null, startedAt = null, finishedAt = null;
        Integer exitCode = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "reason" -> { seen = once(seen, 1); reason = optStr(); }
                case "exitCode" -> { seen = once(seen, 2); exitCode = optInt(); }
                case "startedAt" -> { seen = once(seen, 4); startedAt = optStr(); }
                case "finishedAt" -> { seen = once(seen, 8); finishedAt = optStr(); }
                default -> skipValue();
            }
        }
        return new PodRestart.LastTermination(reason, exitCode, time(startedAt, false), time(finishedAt, false));
    }

    private ContainerLog containerLog() throws IOException {
        String namespace = null, pod = null, container = null, node = null;
        boolean previous = false;
        List<String> lines = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "namespace" -> { seen = once(seen, 1); namespace = str(); }
                case "pod" -> { seen = once(seen, 2); pod = str(); }
                case "container" -> { seen = once(seen, 4); container = str(); }
                case "node" -> { seen = once(seen, 8); node = str(); }
                case "previous" -> { seen = once(seen, 16); previous = bool(); }
                case "lines" -> { seen = once(seen, 32); lines = strings(); }
                default -> skipValue();
            }
        }
        need(seen, 63);
        if (lines.size() > ContainerLog.MAX_LINES) {
            throw DECLINED;
        }
        for (String line : lines) {
            if (utf8Over(line, ContainerLog.MAX_LINE_BYTES)) {
                throw DECLINED;
            }
        }
        return new ContainerLog(namespace, pod, container, node, previous, lines);
    }

    /**
     * Whether {@code s.getBytes(UTF_8).length > max}, without the copy (a lone surrogate is written as one '?').
     * Performance: the tree decoder encoded every log line to count its bytes.
     */
    static boolean utf8Over(String s, int max) {
        int n = s.length();
        if (n > max || n * 3 <= max) { // a char takes 1 to 3 bytes (a surrogate pair 4 for its 2 chars)
            return n > max;
        }
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes > max;
    }

    private ProcessIo processIo() throws IOException {
        String node = null;
        double interval = 0;
        List<ProcessIo.Process> processes = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "node" -> { seen = once(seen, 1); node = str(); }
                case "intervalSeconds" -> { seen = once(seen, 2); interval = num(); }
                case "processes" -> {
                    seen = once(seen, 4);
                    array();
                    processes = new ArrayList<>();
                    while (item()) {
                        processes.add(process());
                    }
                    items(processes.size());
                }
                default -> skipValue();
            }
        }
        need(seen, 7);
        if (!(interval > 0)) {
            throw DECLINED;
        }
        return new ProcessIo(node, interval, processes);
    }

    private ProcessIo.Process process() throws IOException {
        int pid = 0;
        String name = null;
        double read = 0, write = 0;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "pid" -> { seen = once(seen, 1); pid = intMin(0); }
                case "name" -> { seen = once(seen, 2); name = str(); }
                case "readBytesPerSec" -> { seen = once(seen, 4); read = numMin(0); }
                case "writeBytesPerSec" -> { seen = once(seen, 8); write = numMin(0); }
                default -> skipValue();
            }
        }
        need(seen, 15);
        return new ProcessIo.Process(pid, name, read, write);
    }

    private NodeInterfaces nodeInterfaces() throws IOException {
        String node = null, hostIP = null, kernelVersion = null;
        List<NodeInterfaces.Interface> interfaces = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "node" -> { seen = once(seen, 1); node = str(); }
                case "hostIP" -> { seen = once(seen, 2); hostIP = optStr(); }
                case "kernelVersion" -> { seen = once(seen, 4); kernelVersion = optStr(); }
                case "interfaces" -> {
                    seen = once(seen, 8);
                    array();
                    interfaces = new ArrayList<>();
                    while (item()) {
                        interfaces.add(iface());
                    }
                    items(interfaces.size());
                }
                default -> skipValue();
            }
        }
        need(seen, 1 | 8);
        return new NodeInterfaces(node, hostIP, kernelVersion, interfaces);
    }

    private NodeInterfaces.Interface iface() throws IOException {
        String name = null, kind = null;
        boolean physical = false, up = false, defaultRoute = false;
        List<String> addresses = null, lower = List.of();
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "name" -> { seen = once(seen, 1); name = str(); }
                case "physical" -> { seen = once(seen, 2); physical = bool(); }
                case "up" -> { seen = once(seen, 4); up = bool(); }
                case "addresses" -> { seen = once(seen, 8); addresses = strings(); }
                case "defaultRoute" -> { seen = once(seen, 16); defaultRoute = bool(); }
                case "kind" -> { seen = once(seen, 32); kind = optStr(); }
                case "lower" -> { seen = once(seen, 64); lower = optStrings(); }
                default -> skipValue();
            }
        }
        need(seen, 31);
        return new NodeInterfaces.Interface(name, physical, up, addresses, defaultRoute, kind, lower);
    }

    private FlannelConfig flannelConfig() throws IOException {
        String namespace = null, daemonSet = null, container = null, image = null, version = null, rv = null;
        List<String> command = null, args = null, envFrom = List.of();
        Map<String, String> env = null, envRefs = Map.of();
        int desired = 0, ready = 0;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "namespace" -> { seen = once(seen, 1); namespace = str(); }
                case "daemonSet" -> { seen = once(seen, 2); daemonSet = str(); }
                case "container" -> { seen = once(seen, 4); container = str(); }
                case "image" -> { seen = once(seen, 8); image = str(); }
                case "command" -> { seen = once(seen, 16); command = strings(); }
                case "args" -> { seen = once(seen, 32); args = strings(); }
                case "env" -> { seen = once(seen, 64); env = stringMap(); }
                case "resourceVersion" -> { seen = once(seen, 128); rv = str(); }
                case "desiredNodes" -> { seen = once(seen, 256); desired = intMin(0); }
                case "readyNodes" -> { seen = once(seen, 512); ready = intMin(0); }
                case "version" -> { seen = once(seen, 1024); version = optStr(); }
                case "envRefs" -> { seen = once(seen, 2048); envRefs = optStringMap(); }
                case "envFrom" -> { seen = once(seen, 4096); envFrom = optStrings(); }
                default -> skipValue();
            }
        }
        need(seen, 1023);
        return new FlannelConfig(namespace, daemonSet, container, image, version, command, args, env, rv, desired,
                ready, envRefs, envFrom);
    }

    private Heartbeat heartbeat() throws IOException {
        String component = null, node = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "component" -> { seen = once(seen, 1); component = str(); }
                case "node" -> { seen = once(seen, 2); node = optStr(); }
                default -> skipValue();
            }
        }
        need(seen, 1);
        return new Heartbeat(component, node);
    }

    private Decision decision() throws IOException {
        String incidentId = null, rule = null, status = null, severity = null, summary = null;
        double confidence = 0;
        List<Decision.Evidence> evidence = null;
        Decision.Recommendation recommendation = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "incidentId" -> { seen = once(seen, 1); incidentId = str(); }
                case "rule" -> { seen = once(seen, 2); rule = str(); }
                case "status" -> { seen = once(seen, 4); status = str(); }
                case "severity" -> { seen = once(seen, 8); severity = str(); }
                case "confidence" -> { seen = once(seen, 16); confidence = num(); }
                case "summary" -> { seen = once(seen, 32); summary = str(); }
                case "evidence" -> {
                    seen = once(seen, 64);
                    array();
                    evidence = new ArrayList<>();
                    while (item()) {
                        evidence.add(evidence());
                    }
                    items(evidence.size());
                }
                case "recommendation" -> { seen = once(seen, 128); recommendation = optObj() ? recommendation() : null; }
                default -> skipValue();
            }
        }
        need(seen, 127);
        if (!List.of(Decision.OPEN, Decision.UPDATED, Decision.RESOLVED).contains(status)
                || !List.of("critical", "warning", "info").contains(severity) || confidence < 0 || confidence > 1) {
            throw DECLINED;
        }
        return new Decision(incidentId, rule, status, severity, confidence, summary, evidence, recommendation);
    }

    private Decision.Evidence evidence() throws IOException {
        String signalId = null, type = null, node = null, fact = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "signalId" -> { seen = once(seen, 1); signalId = str(); }
                case "type" -> { seen = once(seen, 2); type = str(); }
                case "node" -> { seen = once(seen, 4); node = optStr(); }
                case "fact" -> { seen = once(seen, 8); fact = str(); }
                default -> skipValue();
            }
        }
        need(seen, 1 | 2 | 8);
        return new Decision.Evidence(signalId, type, node, fact);
    }

    private Decision.Recommendation recommendation() throws IOException {
        String action = null, namespace = null, container = null, currentImage = null, targetImage = null,
                ifaceRegex = null;
        List<String> daemonSets = null, iface = null, nodesWithoutInventory = null;
        boolean bindingOk = false;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "action" -> { seen = once(seen, 1); action = str(); }
                case "namespace" -> { seen = once(seen, 2); namespace = str(); }
                case "daemonSets" -> { seen = once(seen, 4); daemonSets = strings(); }
                case "container" -> { seen = once(seen, 8); container = str(); }
                case "currentImage" -> { seen = once(seen, 16); currentImage = str(); }
                case "iface" -> { seen = once(seen, 32); iface = strings(); }
                case "nodesWithoutInventory" -> { seen = once(seen, 64); nodesWithoutInventory = strings(); }
                case "targetImage" -> { seen = once(seen, 128); targetImage = optStr(); }
                case "ifaceRegex" -> { seen = once(seen, 256); ifaceRegex = optStr(); }
                case "bindingOk" -> { seen = once(seen, 512); bindingOk = p.nextToken() != JsonToken.VALUE_NULL && boolHere(); }
                default -> skipValue();
            }
        }
        need(seen, 127);
        return new Decision.Recommendation(action, namespace, daemonSets, container, currentImage, targetImage, iface,
                ifaceRegex, nodesWithoutInventory, bindingOk);
    }

    private Remediation remediation() throws IOException {
        String planId = null, incidentId = null, state = null, previousState = null, actor = null, reason = null,
                at = null;
        int seen = 0;
        for (String f; (f = p.nextFieldName()) != null; ) {
            switch (f) {
                case "planId" -> { seen = once(seen, 1); planId = str(); }
                case "incidentId" -> { seen = once(seen, 2); incidentId = str(); }
                case "state" -> { seen = once(seen, 4); state = str(); }
                case "actor" -> { seen = once(seen, 8); actor = str(); }
                case "at" -> { seen = once(seen, 16); at = str(); }
                case "previousState" -> { seen = once(seen, 32); previousState = optStr(); }
                case "reason" -> { seen = once(seen, 64); reason = optStr(); }
                default -> skipValue();
            }
        }
        need(seen, 31);
        return new Remediation(planId, incidentId, state, previousState, actor, reason, time(at, true));
    }

    // ---------------------------------------------------------------- values (each reads the next token)

    /** Marks a field as read; a second one is declined (the tree decoder keeps the last one). */
    private static int once(int seen, int bit) {
        if ((seen & bit) != 0) {
            throw DECLINED;
        }
        return seen | bit;
    }

    private static void need(int seen, int required) {
        if ((seen & required) != required) {
            throw DECLINED;
        }
    }

    /** After the last field of the root: the parser must be on its '}' (nextFieldName returned null). */
    private void end() {
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw DECLINED;
        }
    }

    /** A required string within the length limit. */
    private String str() throws IOException {
        if (p.nextToken() != JsonToken.VALUE_STRING) {
            throw DECLINED;
        }
        return bounded(p.getText());
    }

    /** An optional string: null or a string (absent is the caller's default, null). */
    private String optStr() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw DECLINED;
        }
        return bounded(p.getText());
    }

    private static String bounded(String s) {
        if (s.length() > EventCodec.MAX_STRING) {
            throw DECLINED;
        }
        return s;
    }

    private boolean bool() throws IOException {
        p.nextToken();
        return boolHere();
    }

    private boolean boolHere() {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw DECLINED;
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** An integer that fits an int (the tree's {@code canConvertToInt} on an integral node), at least min. */
    private int intMin(int min) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw DECLINED;
        }
        int i = p.getIntValue();
        if (i < min) {
            throw DECLINED;
        }
        return i;
    }

    private Integer optInt() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw DECLINED;
        }
        return p.getIntValue();
    }

    /** A finite number, converted as the tree's number node would ({@code doubleValue()} of an int, long, ...). */
    private double num() throws IOException {
        JsonToken t = p.nextToken();
        double d;
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            d = p.getDoubleValue();
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            d = switch (p.getNumberType()) {
                case INT -> p.getIntValue();
                case LONG -> (double) p.getLongValue();
                default -> p.getBigIntegerValue().doubleValue();
            };
        } else {
            throw DECLINED;
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw DECLINED;
        }
        return d;
    }

    private double numMin(double min) throws IOException {
        double d = num();
        if (d < min) {
            throw DECLINED;
        }
        return d;
    }

    /** True on a nested object (the parser is on its '{'), false on null. */
    private boolean optObj() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        if (t != JsonToken.START_OBJECT) {
            throw DECLINED;
        }
        return true;
    }

    private void array() throws IOException {
        if (p.nextToken() != JsonToken.START_ARRAY) {
            throw DECLINED;
        }
    }

    /** Moves to the next item of an array of objects: true on its '{', false at the array's end. */
    private boolean item() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
            return false;
        }
        if (t != JsonToken.START_OBJECT) {
            throw DECLINED;
        }
        return true;
    }

    private static void items(int n) {
        if (n > EventCodec.MAX_ITEMS) {
            throw DECLINED;
        }
    }

    private List<String> strings() throws IOException {
        array();
        List<String> out = new ArrayList<>();
        for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
            if (t != JsonToken.VALUE_STRING) {
                throw DECLINED;
            }
            out.add(bounded(p.getText()));
        }
        items(out.size());
        return out;
    }

    /** Absent or null is empty. */
    private List<String> optStrings() throws IOException {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw DECLINED;
        }
        List<String> out = new ArrayList<>();
        for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
            if (t != JsonToken.VALUE_STRING) {
                throw DECLINED;
            }
            out.add(bounded(p.getText()));
        }
        items(out.size());
        return out;
    }

    private Map<String, String> stringMap() throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw DECLINED;
        }
        return stringMapHere();
    }

    /** Absent or null is empty. */
    private Map<String, String> optStringMap() throws IOException {
        return optObj() ? stringMapHere() : Map.of();
    }

    /** A repeated key keeps its first place and its last value, as in the tree's object node. */
    private Map<String, String> stringMapHere() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k; (k = p.nextFieldName()) != null; ) {
            out.put(bounded(k), str());
        }
        items(out.size());
        return out;
    }

    /** Skips the value of an unknown field, reading it as the tree would (strings decoded, numbers parsed). */
    private void skipValue() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            skipRest();
        } else {
            scalar(t);
        }
    }

    /** Reads to the end of the object or array the parser is on. */
    private void skipRest() throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == null) {
                throw DECLINED;
            } else {
                scalar(t);
            }
        }
    }

    /**
     * The tree decodes every string and parses every number it meets; skipping them unread could let through a
     * malformed escape or UTF-8 sequence that the tree rejects. Unknown fields are rare, so this costs little.
     */
    private void scalar(JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
            p.getText();
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            p.getNumberType();
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            p.getDoubleValue();
        } else if (t == null) {
            throw DECLINED;
        }
    }

    /** The tree decoder's time: the canonical form by hand, anything else the general way (declined if invalid). */
    private static Instant time(String s, boolean required) {
        if (s == null) {
            if (required) {
                throw DECLINED;
            }
            return null;
        }
        Instant fast = EventCodec.canonicalTime(s);
        return fast != null ? fast : OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }
}
