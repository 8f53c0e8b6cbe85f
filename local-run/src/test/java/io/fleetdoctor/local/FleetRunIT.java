package io.fleetdoctor.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./fleetdoctor demo --fleet} end to end: four simulated clusters, each with its own collector and node
 * agents, on one analyzer and remediator. Checked on the services' APIs before they stop: the live-fixable
 * clusters SUCCEEDED (the prod one with two approvals), the Helm-managed one has a plan that is not executable live
 * and carries the Helm values, and the healthy one has no incident and no plan although the analyzer saw it.
 */
class FleetRunIT {

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void demoFleetFixesWhatIsLiveFixableProposesTheManagedChangeAndLeavesTheHealthyClusterAlone() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LocalRun run = new LocalRun(new LocalRun.Options(true, Path.of("..").toAbsolutePath().normalize(), null,
                null, "fleet", false, Duration.ofMinutes(8), LocalRunIT.tee(captured), "flannel-iface"));
        Instant start = Instant.now();
        try {
            int rc;
            try {
                rc = new FleetRun(run).run();
            } catch (LocalRun.StepFailed e) {
                run.printLogTails();
                throw e;
            }
            String out = captured.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, out);
            String admin = LocalRun.basic("admin", "admin-demo");
            String viewer = LocalRun.basic("viewer", "viewer-demo");
            int remediator = run.httpPorts().get("remediator");
            int analyzer = run.httpPorts().get("analyzer");

            for (String cluster : new String[]{"fleet-seed", "fleet-bonded"}) {
                JsonNode plan = onlyPlan(run, remediator, cluster, admin);
                assertEquals("SUCCEEDED", plan.path("state").asText(), cluster + ": " + plan);
                assertTrue(plan.path("liveExecutable").asBoolean(), cluster);
            }
            JsonNode bonded = onlyPlan(run, remediator, "fleet-bonded", admin);
            assertEquals(2, bonded.path("approvalsRequired").asInt(), "class prod: " + bonded);
            assertEquals(2, bonded.path("approvals").asInt(), "approver and approver2: " + bonded);

            JsonNode helm = onlyPlan(run, remediator, "fleet-helm", admin);
            assertFalse(helm.path("liveExecutable").asBoolean(), helm.toString());
            assertEquals("helm", helm.path("managedBy").asText(), helm.toString());
            assertEquals("PENDING_APPROVAL", helm.path("state").asText(), "not approved by the demo: " + helm);
            JsonNode owner = run.get(remediator, "/api/plans/" + helm.path("id").asText(), admin).path("owner");
            assertEquals("app.kubernetes.io/managed-by=Helm", owner.path("evidence").asText(), owner.toString());
            String source = owner.path("sourceChange").asText();
            assertTrue(source.contains("helm upgrade flannel"), source);
            assertTrue(source.contains("eth0"), source);
            assertTrue(out.contains("helm upgrade flannel"), "the demo showed the source change");
            assertFalse(out.contains("[fleet-helm] simulator: flannel patched"), "nothing was written to fleet-helm");

            assertEquals(0, run.get(analyzer, "/api/incidents?cluster=fleet-healthy", viewer).path("items").size());
            assertEquals(0, run.get(remediator, "/api/plans?cluster=fleet-healthy", admin).path("items").size());
            JsonNode seen = null;
            for (JsonNode c : run.get(analyzer, "/api/fleet/summary", viewer).path("clusters")) {
                if (c.path("cluster").asText().equals("fleet-healthy")) {
                    seen = c;
                }
            }
            assertNotNull(seen, "the analyzer had signals of the healthy cluster");
            assertEquals(0, seen.path("openIncidents").asInt(), seen.toString());

            assertTrue(out.contains("SUMMARY"), out);
        } finally {
            run.stop();
            System.out.println("FleetRunIT: demo --fleet and its checks took "
                    + LocalRun.human(Duration.between(start, Instant.now())));
        }
    }

    private static JsonNode onlyPlan(LocalRun run, int port, String cluster, String auth) {
        JsonNode items = run.get(port, "/api/plans?cluster=" + cluster, auth).path("items");
        assertEquals(1, items.size(), cluster + ": " + items);
        return items.get(0);
    }
}
