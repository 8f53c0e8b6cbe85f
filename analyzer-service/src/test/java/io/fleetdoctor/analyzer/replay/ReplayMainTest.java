package io.fleetdoctor.analyzer.replay;

import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayMainTest {

    private record Result(int rc, List<String> out, String err) {
    }

    private static Result replay(String... args) throws Exception {
        StringWriter out = new StringWriter();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ReplayMain.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        List<String> lines = out.toString().lines().filter(l -> !l.isBlank()).toList();
        return new Result(rc, lines, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void seedIncidentGivesExactlyOneOpenDecision(@TempDir Path dir) throws Exception {
        String seed = Fixtures.copyTo(dir).resolve(Fixtures.SEED_TRACE).toString();
        Result r = replay(seed);
        assertEquals(0, r.rc, r.err);
        assertEquals("", r.err);
        assertEquals(1, r.out.size(), String.join("\n", r.out));
        CloudEvent<Decision> e = EventCodec.decode(r.out.get(0)).as(Decision.class);
        Decision d = e.data();
        assertEquals("demo-1", e.cluster());
        assertEquals(Decision.OPEN, d.status());
        assertEquals("flannel-iface", d.rule());
        assertEquals(List.of("eth0"), d.recommendation().iface());
        assertEquals("quay.io/coreos/flannel:v0.13.0", d.recommendation().targetImage());
        assertEquals(List.of("kube-flannel-ds"), d.recommendation().daemonSets());
        assertEquals(List.of(), d.recommendation().nodesWithoutInventory());
        Set<String> types = d.evidence().stream().map(Decision.Evidence::type).collect(Collectors.toSet());
        assertTrue(types.containsAll(Set.of("pod-restart", "process-io", "node-interfaces", "flannel-config",
                "container-log")), types.toString());
        assertEquals(3, d.evidence().stream().filter(x -> x.type().equals("pod-restart")).count());
        assertTrue(d.evidence().stream().anyMatch(x -> x.fact().contains("leaderelection lost")
                || x.fact().contains("failed to renew lease")));
        assertTrue(d.evidence().stream().anyMatch(x -> x.type().equals("node-interfaces")
                && x.fact().contains("2 NICs") && x.fact().contains("eth0") && x.fact().contains("eth1")));
        assertTrue(d.evidence().stream().anyMatch(x -> x.type().equals("process-io") && x.fact().contains("flanneld")));
        assertEquals(r.out, replay(seed).out, "deterministic");
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndSkipped(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>(Fixtures.lines(Fixtures.SEED_TRACE));
        lines.add(3, "{not json");
        lines.add(10, lines.get(10).replace("\"cluster\":\"demo-1\"", "\"cluster\":\"Demo_1\""));
        Path trace = dir.resolve("bad.jsonl");
        Files.write(trace, lines);
        Result r = replay(trace.toString());
        assertEquals(0, r.rc);
        assertEquals(1, r.out.size());
        assertTrue(r.err.contains("bad.jsonl:4: skipped: not JSON"), r.err);
        assertTrue(r.err.contains("bad.jsonl:11: skipped: cluster:"), r.err);
    }

    /** The line with a new id and another time (the events codec writes it back). */
    private static String restamped(String line, String id, Instant time) {
        CloudEvent<?> e = EventCodec.decode(line);
        return EventCodec.encodeToString(new CloudEvent<>(id, e.source(), e.type(), time, e.cluster(), e.subject(),
                e.data()));
    }

    /**
     * The seed trace with a heartbeat of master01 stamped 2099 after line 300, and the agents' clocks
     * of master01 10 minutes and of node02 3 minutes ahead.
     */
    private static List<String> skewedSeed() {
        List<String> lines = new ArrayList<>();
        for (String l : Fixtures.lines(Fixtures.SEED_TRACE)) {
            CloudEvent<?> e = EventCodec.decode(l);
            Duration skew = e.source().endsWith("/master01/agent") ? Duration.ofMinutes(10)
                    : e.source().endsWith("/node02/agent") ? Duration.ofMinutes(3) : Duration.ZERO;
            lines.add(skew.isZero() ? l : restamped(l, e.id(), e.time().plus(skew)));
        }
        String heartbeat = Fixtures.lines(Fixtures.SEED_TRACE).stream()
                .filter(l -> l.contains("/master01/agent") && l.contains("heartbeat")).findFirst().orElseThrow();
        lines.add(300, restamped(heartbeat, "far-ahead-1", Instant.parse("2099-01-01T00:00:00Z")));
        return lines;
    }

    @Test
    void aTimeFarAheadIsDroppedWithItsReasonAndChangesNothing(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>(Fixtures.lines(Fixtures.SEED_TRACE));
        String heartbeat = lines.stream().filter(l -> l.contains("/master01/agent") && l.contains("heartbeat"))
                .findFirst().orElseThrow();
        lines.add(300, restamped(heartbeat, "far-ahead-1", Instant.parse("2099-01-01T00:00:00Z")));
        Path trace = dir.resolve("ahead.jsonl");
        Files.write(trace, lines);
        Result r = replay(trace.toString());
        assertEquals(0, r.rc);
        // the same one decision as without it: no blindness, nothing resolved
        assertEquals(replay(Fixtures.copyTo(dir).resolve(Fixtures.SEED_TRACE).toString()).out, r.out);
        assertTrue(r.err.startsWith("ahead.jsonl:301: dropped: time 2099-01-01T00:00:00Z is 78y ahead of cluster"
                .replace("ahead.jsonl", trace.toString())), r.err);
        assertTrue(r.err.contains("'s clock 2020-12-22T13:") && r.err.contains("(max-future 5m, source "
                + "/clusters/demo-1/nodes/master01/agent)"), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Test
    void theServiceAndReplayAgreeOnTheSameTrace(@TempDir Path dir) throws Exception {
        List<String> lines = skewedSeed();
        Path trace = dir.resolve("skewed.jsonl");
        Files.write(trace, lines);
        Result replayed = replay(trace.toString());
        assertEquals(0, replayed.rc, replayed.err);
        List<Integer> replayDropped = replayed.err.lines()
                .map(l -> Integer.parseInt(l.substring(trace.toString().length() + 1, l.indexOf(": dropped: "))))
                .toList();

        // the service: the same engine and configuration, with its wall clock (Analysis.signal)
        AnalyzerEngine service = ReplayMain.registry(null, Map.of()).engine();
        List<String> published = new ArrayList<>();
        List<Integer> deadLettered = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            AnalyzerEngine.Intake in = service.offer(EventCodec.decode(lines.get(i)), Instant.now());
            if (in.outcome() == AnalyzerEngine.Outcome.AHEAD) {
                deadLettered.add(i + 1);
            }
            in.outputs().stream().filter(EngineOutput::publish)
                    .forEach(o -> published.add(EventCodec.encodeToString(o.event())));
        }
        assertEquals(replayed.out, published);
        assertEquals(1, published.size());
        assertEquals(deadLettered, replayDropped); // the 2099 heartbeat and master01's events (10m ahead)
        assertEquals(1, service.aheadOfAnalyzerEvents()); // the service refuses 2099 on its wall clock
        assertTrue(deadLettered.size() > 100, deadLettered.toString());
    }

    @Test
    void unreadableFileGivesExitCodeTwo(@TempDir Path dir) throws Exception {
        Result r = replay(dir.resolve("missing.jsonl").toString());
        assertEquals(2, r.rc);
        assertTrue(r.err.contains("cannot read"), r.err);
        assertEquals(2, replay().rc);
    }
}
