package io.fleetdoctor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed incident of INCIDENT.md ({@code seed-incident.jsonl} of the fixtures, cluster {@code demo-1}) as a
 * template: copied to any cluster id with its times shifted. {@link #COMPLETING} is the line whose signal makes
 * the analyzer open the incident (the third control-plane restart): replay of the trace opens it there.
 * A near miss is the same trace with flanneld's IO capped at 9 MiB/s, under the rule's 10 MiB/s threshold:
 * the restarts still come, the rule must stay silent.
 */
public final class IncidentTemplate {
    static final String RESOURCE = "/io/fleetdoctor/fixtures/seed-incident.jsonl";
    private static final String TEMPLATE_CLUSTER = "demo-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> lines;
    private final List<Instant> times;
    /** Index of the completing signal (see the class comment); lines after it are not used. */
    public final int completing;

    public IncidentTemplate(int completing) {
        this.lines = load();
        this.times = new ArrayList<>();
        for (ObjectNode l : lines) {
            times.add(Instant.parse(l.get("time").asText()));
        }
        if (completing < 1 || completing >= lines.size()) {
            throw new IllegalArgumentException("completing line " + completing + " outside the template");
        }
        this.completing = completing;
    }

    /**
     * Lines {@code from..to} (inclusive, 0-based) of the template for {@code cluster}, shifted so that the
     * completing line is at {@code completingAt}; {@code nearMiss} caps flanneld's IO below the threshold.
     */
    public List<FleetGenerator.Rec> instantiate(String cluster, Instant completingAt, boolean nearMiss, int from, int to) {
        Duration shift = Duration.between(times.get(completing), completingAt);
        List<FleetGenerator.Rec> out = new ArrayList<>(to - from + 1);
        for (int i = from; i <= to; i++) {
            ObjectNode e = lines.get(i).deepCopy();
            e.put("id", cluster + "-" + e.get("id").asText());
            e.put("cluster", cluster);
            e.put("source", e.get("source").asText().replace("/clusters/" + TEMPLATE_CLUSTER + "/", "/clusters/" + cluster + "/"));
            e.put("time", times.get(i).plus(shift).toString());
            if (nearMiss && e.get("type").asText().endsWith("process-io.v1")) {
                for (JsonNode p : e.path("data").path("processes")) {
                    if ("flanneld".equals(p.path("name").asText())) {
                        // read + write under 10 MiB/s: 7 MiB/s + 2 MiB/s
                        ((ObjectNode) p).put("readBytesPerSec", Math.min(p.path("readBytesPerSec").asLong(), 7L << 20));
                        ((ObjectNode) p).put("writeBytesPerSec", Math.min(p.path("writeBytesPerSec").asLong(), 2L << 20));
                    }
                }
            }
            try {
                out.add(new FleetGenerator.Rec(cluster, JSON.writeValueAsBytes(e)));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return out;
    }

    /** Event-time span from the first line to the completing one. */
    public Duration spanToCompleting() {
        return Duration.between(times.get(0), times.get(completing));
    }

    private static List<ObjectNode> load() {
        try (InputStream in = IncidentTemplate.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path (module fixtures)");
            }
            List<ObjectNode> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.add((ObjectNode) JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int size() {
        return lines.size();
    }
}
