package io.fleetdoctor.local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end test: the three services as processes on the embedded Kafka and PostgreSQL, the
 * simulated cluster, and the incident followed from the first restart to a verified fix, exactly
 * as {@code ./fleetdoctor demo} runs it.
 */
class LocalRunIT {

    @Test
    void demoFollowsTheIncidentToSucceeded() throws Exception {
        String out = demo("flannel-iface", LocalRun.CLUSTER, DashboardMetrics::assertExposed);
        assertTrue(out.contains("simulator:"), "the simulated cluster told its story");
        assertTrue(out.matches("(?s).*incident inc-\\w+ open: demo-1: .*--iface=eth0.*"), "incident detected");
        assertTrue(out.contains("PENDING_APPROVAL"), "plan waited for approval");
        assertTrue(out.contains("slack: Plan awaiting approval on demo-1"), "the local Slack sink printed the message");
        assertTrue(out.contains("SUCCEEDED"), "plan verified");
        assertTrue(out.contains("SUMMARY"), "summary printed");
    }

    /** The second playbook through the same path: OOM kills → flannel-oom → memory limit raised → verified. */
    @Test
    void demoFollowsFlannelOomToSucceeded() throws Exception {
        // its own cluster id: both runs share this JVM's broker and database, so the first run's signals stay
        String out = demo("flannel-oom", "demo-oom", run -> { });
        assertTrue(out.contains("OOM-killed"), "the simulated flanneld was OOM-killed");
        assertTrue(out.matches("(?s).*incident inc-\\w+ open: demo-oom: flanneld OOM-killed .*"), "incident detected");
        assertTrue(out.contains("memory: \"100Mi\""), "the plan doubles the 50Mi limit");
        assertTrue(out.contains("OOM kills stopped"), "the simulator saw the fix");
        assertTrue(out.contains("SUCCEEDED"), "plan verified");
    }

    interface WhileRunning {
        void check(LocalRun run) throws Exception;
    }

    private static String demo(String scenario, String cluster, WhileRunning whileRunning) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = tee(captured);
        PrintStream err = System.err;
        // SLF4J warns on stderr when the first embedded client asks for a logger: captured too
        System.setErr(tee(captured, err));
        Path root = Path.of("..").toAbsolutePath().normalize();
        LocalRun run = new LocalRun(new LocalRun.Options(true, root, null, null, cluster, false,
                Duration.ofMinutes(6), both, scenario));
        int rc;
        try {
            rc = run.run();
            if (rc == 0) {
                whileRunning.check(run);
            }
        } catch (LocalRun.StepFailed e) {
            run.printLogTails();
            throw e;
        } finally {
            run.stop();
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertFalse(out.lines().anyMatch(l -> l.contains("SLF4J")), "no SLF4J warning in the terminal");
        return out;
    }

    /** A stream printing to stdout and into {@code captured}. */
    static PrintStream tee(ByteArrayOutputStream captured) {
        return tee(captured, System.out);
    }

    /** A stream printing to {@code to} and into {@code captured}. */
    static PrintStream tee(ByteArrayOutputStream captured, PrintStream to) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                to.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                to.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
    }
}
