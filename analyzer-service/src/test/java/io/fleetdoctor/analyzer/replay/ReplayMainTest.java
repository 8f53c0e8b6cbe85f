package io.fleetdoctor.analyzer.replay;

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
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void unreadableFileGivesExitCodeTwo(@TempDir Path dir) throws Exception {
        Result r = replay(dir.resolve("missing.jsonl").toString());
        assertEquals(2, r.rc);
        assertTrue(r.err.contains("cannot read"), r.err);
        assertEquals(2, replay().rc);
    }
}
