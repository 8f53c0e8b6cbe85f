package io.fleetdoctor.collector.config;

import io.fleetdoctor.collector.CollectorStartup;
import io.fleetdoctor.collector.node.NodeSampleMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up validation: each bad setting gives one message naming the key. */
class ConfigCheckTest {
    static final Path FIXTURE = Path.of("src/test/resources/node-fixture");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "-, is not set",
            "'', is not set",
            "daemon, 'fleetdoctor.collector.mode=''daemon'' is unknown'",
            "Cluster, is unknown"})
    void badMode(String mode, String message) {
        List<String> errors = ConfigCheck.mode(mode);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains(message), errors.get(0));
    }

    @Test
    void clusterIsTheOnlyModeOfTheQuarkusApplication() {
        assertEquals(List.of(), ConfigCheck.mode("cluster"));
        List<String> node = ConfigCheck.mode("node");
        assertEquals(1, node.size(), node.toString());
        assertTrue(node.get(0).contains("the node agent is not this application but "
                + "io.fleetdoctor.collector.node.NodeAgentMain"), node.get(0));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "-, cluster-id is not set",
            "'  ', cluster-id is not set",
            "Prod_EU, is not a valid cluster id",
            "-demo, is not a valid cluster id",
            "demo-, is not a valid cluster id",
            "a234567890123456789012345678901234567890123456789012345678901234, is not a valid cluster id"})
    void badClusterId(String id, String message) {
        List<String> errors = ConfigCheck.clusterId(id);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains(message), errors.get(0));
    }

    @Test
    void goodClusterIds() {
        assertEquals(List.of(), ConfigCheck.clusterId("demo-1"));
        assertEquals(List.of(), ConfigCheck.clusterId("eu.prod.7"));
    }

    @Test
    void badRoots() throws Exception {
        Path notProc = Files.createDirectories(tmp.resolve("empty"));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        List<String> errors = ConfigCheck.node("node01", notProc, file);
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("fleetdoctor.collector.procfs='" + notProc
                + "' does not look like a procfs root"), errors.get(0));
        assertTrue(errors.get(1).contains("fleetdoctor.collector.sysfs='" + file + "' is not a directory"), errors.get(1));

        List<String> missing = ConfigCheck.node(" ", tmp.resolve("nope"), notProc);
        assertEquals(3, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("node-name is not set"));
        assertTrue(missing.get(1).contains("is not a directory"));
        assertTrue(missing.get(2).contains("does not look like a sysfs root"));

        assertEquals(List.of(), ConfigCheck.node("node01", FIXTURE.resolve("proc"), FIXTURE.resolve("sys")));
    }

    @Test
    void nodeSampleRejectsBadOptionsWithExitCode2() throws Exception {
        assertEquals(2, run("--interval", "0").rc);
        assertTrue(run("--interval", "0").err.contains("--interval must be > 0"));
        assertTrue(run("--count", "-1").err.contains("--count must be a positive integer"));
        assertTrue(run("--bogus", "1").err.contains("unknown option --bogus"));
        Result r = run("--cluster", "Bad_ID", "--procfs", "/nonexistent", "--sysfs", FIXTURE.resolve("sys").toString());
        assertEquals(2, r.rc);
        assertTrue(r.err.contains("--cluster='Bad_ID' is not a valid cluster id"), r.err);
        assertTrue(r.err.contains("--procfs='/nonexistent' is not a directory"), r.err);
        assertEquals("", r.out);
        assertEquals(0, run("--help").rc);
    }

    static CollectorConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder().withMapping(CollectorConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500)).build()
                .getConfigMapping(CollectorConfig.class);
    }

    @Test
    void startupValidationCollectsEveryProblemOfTheMappedConfig() {
        List<String> errors = CollectorStartup.validate(config(Map.of(
                "fleetdoctor.collector.mode", "node",
                "fleetdoctor.collector.cluster-id", "Demo",
                "fleetdoctor.collector.cluster.log-limit-bytes", "100")));
        assertEquals(3, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("fleetdoctor.collector.mode='node': the node agent is not this application"));
        assertTrue(errors.get(1).contains("cluster-id='Demo' is not a valid cluster id"));
        assertEquals("fleetdoctor.collector.cluster.log-limit-bytes must be >= 1024", errors.get(2));

        List<String> noMode = CollectorStartup.validate(config(Map.of("fleetdoctor.collector.cluster-id", "demo-1")));
        assertEquals(1, noMode.size(), noMode.toString());
        assertTrue(noMode.get(0).startsWith("fleetdoctor.collector.mode is not set"));

        List<String> tail = CollectorStartup.validate(config(Map.of("fleetdoctor.collector.mode", "cluster",
                "fleetdoctor.collector.cluster-id", "demo-1", "fleetdoctor.collector.cluster.log-tail-lines", "500")));
        assertEquals(List.of("fleetdoctor.collector.cluster.log-tail-lines must be within 1..200, was 500"), tail);

        assertEquals(List.of(), CollectorStartup.validate(config(Map.of("fleetdoctor.collector.mode", "cluster",
                "fleetdoctor.collector.cluster-id", "demo-1"))));
    }

    record Result(int rc, String out, String err) {
    }

    private static Result run(String... args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = NodeSampleMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
