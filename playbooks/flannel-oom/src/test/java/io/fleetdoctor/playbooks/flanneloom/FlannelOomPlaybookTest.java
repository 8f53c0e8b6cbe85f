package io.fleetdoctor.playbooks.flanneloom;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.playbook.ClusterView;
import io.fleetdoctor.playbook.Finding;
import io.fleetdoctor.playbook.PlaybookConfig;
import io.fleetdoctor.playbook.Verification;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.SpecJson;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlannelOomPlaybookTest {
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    static final FlannelConfig CONFIG = new FlannelConfig("kube-system", "kube-flannel-ds", "kube-flannel",
            "quay.io/coreos/flannel:v0.13.0", "v0.13.0", List.of("/opt/bin/flanneld"), List.of("--ip-masq"), Map.of(),
            "1042", 3, 3);
    final FlannelOomPlaybook playbook = new FlannelOomPlaybook();

    static ClusterView.RestartIncrease oom(String node, int from, int minute, String reason) {
        return new ClusterView.RestartIncrease("s-" + node + from, T0.plusSeconds(60L * minute), "kube-flannel-ds-" + node,
                "kube-flannel", node, "kube-flannel-ds", from, from + 1,
                new PodRestart.LastTermination(reason, 137, null, T0.plusSeconds(60L * minute)));
    }

    Finding evaluate(Map<String, String> props, List<ClusterView.RestartIncrease> restarts, Instant now) {
        PlaybookConfig c = PlaybookConfig.of(FlannelOomPlaybook.ID, props);
        return playbook.rule(c).evaluate(new View(restarts, List.of(new ClusterView.Config("cfg", T0, CONFIG))), now);
    }

    @Test
    void firesOnThreeOomKillsOnOneNodeWithinTheWindow() {
        Finding f = evaluate(Map.of(), List.of(oom("node01", 0, 1, "OOMKilled"), oom("node01", 1, 5, "OOMKilled"),
                oom("node01", 2, 9, "OOMKilled")), T0.plusSeconds(600));
        assertTrue(f.firing(), f.summary());
        Decision.Recommendation r = f.recommendation();
        assertEquals("flannel-oom-fix", r.action());
        assertEquals("kube-system", r.namespace());
        assertEquals(List.of("kube-flannel-ds"), r.daemonSets());
        assertEquals("kube-flannel", r.container());
        assertEquals(3, f.evidence().size());
    }

    @Test
    void quietCases() {
        // spread over two nodes: no node has three
        assertFalse(evaluate(Map.of(), List.of(oom("node01", 0, 1, "OOMKilled"), oom("node02", 0, 2, "OOMKilled"),
                oom("node01", 1, 3, "OOMKilled")), T0.plusSeconds(600)).firing());
        // other termination reasons do not count
        assertFalse(evaluate(Map.of(), List.of(oom("node01", 0, 1, "Error"), oom("node01", 1, 2, "OOMKilled"),
                oom("node01", 2, 3, "Completed")), T0.plusSeconds(600)).firing());
        // older than the window (30m)
        assertFalse(evaluate(Map.of(), List.of(oom("node01", 0, 1, "OOMKilled"), oom("node01", 1, 2, "OOMKilled"),
                oom("node01", 2, 3, "OOMKilled")), T0.plusSeconds(60 * 40)).firing());
    }

    @Test
    void thresholdsComeFromTheBlockAndPerClusterOverrides() {
        List<ClusterView.RestartIncrease> two = List.of(oom("node01", 0, 1, "OOMKilled"), oom("node01", 1, 2, "OOMKilled"));
        assertFalse(evaluate(Map.of(), two, T0.plusSeconds(300)).firing());
        assertTrue(evaluate(Map.of("fleetdoctor.playbooks.flannel-oom.min-oom-kills", "2"), two, T0.plusSeconds(300)).firing());
        assertTrue(evaluate(Map.of("fleetdoctor.playbooks.flannel-oom.clusters.\"c1\".min-oom-kills", "2"), two,
                T0.plusSeconds(300)).firing());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> playbook.validate(
                PlaybookConfig.of(FlannelOomPlaybook.ID, Map.of("fleetdoctor.playbooks.flannel-oom.max-memory-limit", "lots")),
                List.of()));
        assertTrue(e.getMessage().contains("fleetdoctor.playbooks.flannel-oom.max-memory-limit"), e.getMessage());
    }

    /** The DaemonSet of the upstream kube-flannel.yml as run in the incident (50Mi limit). */
    static DaemonSet upstream() throws Exception {
        try (InputStream in = Fixtures.open(Fixtures.FLANNEL_MANIFEST)) {
            return io.fleetdoctor.playbooks.flannel.FlannelManifests.daemonSet(in);
        }
    }

    BuiltPlan build(Map<String, String> props, DaemonSet ds) {
        Decision.Recommendation rec = new Decision.Recommendation("flannel-oom-fix", "kube-system",
                List.of("kube-flannel-ds"), "kube-flannel", "quay.io/coreos/flannel:v0.13.1-rc1", null, List.of(), null, List.of());
        return playbook.fix(PlaybookConfig.of(FlannelOomPlaybook.ID, props), null).build(new FixBuilder.Input(rec,
                List.of(new FixBuilder.LiveDaemonSet("kube-system", "kube-flannel-ds", "7", ds.getSpec())), Map.of(),
                Map.of(), null));
    }

    @Test
    void fixDoublesTheLimitOfTheFlanneldContainerOnly() throws Exception {
        DaemonSet ds = upstream();
        BuiltPlan p = build(Map.of(), ds);
        assertNull(p.blockedReason(), p.checks().toString());
        assertEquals(1, p.changes().size());
        Container after = SpecJson.fromJson(p.changes().get(0).after()).getTemplate().getSpec().getContainers().get(0);
        assertEquals("100Mi", after.getResources().getLimits().get("memory").toString());
        assertEquals("50Mi", after.getResources().getRequests().get("memory").toString(), "requests unchanged");
        assertTrue(p.diff().contains("-          memory: \"50Mi\"") || p.diff().contains("memory: \"100Mi\""), p.diff());
        // everything else is the same: only one line removed and one added in the diff
        long changed = p.diff().lines().filter(l -> (l.startsWith("+") || l.startsWith("-"))
                && !l.startsWith("+++") && !l.startsWith("---")).count();
        assertEquals(2, changed, p.diff());
    }

    @Test
    void fixIsCappedAndRefusedWithoutALimit() throws Exception {
        BuiltPlan capped = build(Map.of("fleetdoctor.playbooks.flannel-oom.max-memory-limit", "80Mi"), upstream());
        Container after = SpecJson.fromJson(capped.changes().get(0).after()).getTemplate().getSpec().getContainers().get(0);
        assertEquals("80Mi", after.getResources().getLimits().get("memory").toString());

        BuiltPlan atCap = build(Map.of("fleetdoctor.playbooks.flannel-oom.max-memory-limit", "50Mi"), upstream());
        assertNotNull(atCap.blockedReason());
        assertTrue(atCap.changes().isEmpty());

        DaemonSet noLimit = upstream();
        noLimit.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().setLimits(null);
        BuiltPlan refused = build(Map.of(), noLimit);
        assertTrue(refused.blockedReason().contains("memory-limit-set"), refused.blockedReason());
        assertThrows(IllegalArgumentException.class, () -> playbook.fix(PlaybookConfig.of("flannel-oom", Map.of()), null)
                .validateOverride("eth0"));
    }

    @Test
    void verificationFailsOnAFlannelOomKillAfterTheChangeOnly() {
        Verification v = playbook.verification(PlaybookConfig.of("flannel-oom", Map.of()), "c1");
        Instant since = T0.plusSeconds(600);
        CloudEvent<PodRestart> before = restart(T0.plusSeconds(700), T0.plusSeconds(500), "OOMKilled", "kube-flannel");
        CloudEvent<PodRestart> after = restart(T0.plusSeconds(900), T0.plusSeconds(880), "OOMKilled", "kube-flannel");
        CloudEvent<PodRestart> other = restart(T0.plusSeconds(900), T0.plusSeconds(880), "OOMKilled", "coredns");
        assertNull(v.strike(before, since), "killed before the change, reported late");
        assertNull(v.strike(other, since), "not flannel");
        Verification.Strike s = v.strike(after, since);
        assertNotNull(s);
        assertNull(v.failure(List.of()));
        assertTrue(v.failure(List.of(s)).contains("OOM-killed"));
    }

    static CloudEvent<PodRestart> restart(Instant time, Instant finished, String reason, String container) {
        PodRestart r = new PodRestart("kube-system", container + "-ds-abcde", container, "node01", container + "-ds", false, 4,
                new PodRestart.LastTermination(reason, 137, null, finished));
        return CloudEvent.of("id-" + time, CloudEvent.collectorSource("c1"), time, "c1", null, r);
    }

    /** The part of a cluster window the rule reads. */
    record View(List<RestartIncrease> restarts, List<Config> configs) implements ClusterView {
        public String cluster() {
            return "c1";
        }

        public List<RestartIncrease> restartIncreases(Instant from, Instant to) {
            List<RestartIncrease> out = new ArrayList<>();
            for (RestartIncrease r : restarts) {
                if (r.time().isAfter(from) && !r.time().isAfter(to)) {
                    out.add(r);
                }
            }
            return out;
        }

        public Collection<String> nodes() {
            return List.of("node01", "node02");
        }

        public Inventory inventory(String node) {
            return null;
        }

        public List<Log> startupLines(String node) {
            return List.of();
        }

        public List<IoSample> ioSpikes(String node, Instant from, Instant to) {
            return List.of();
        }

        public IoSample lastIo(String node) {
            return null;
        }

        public Collection<Config> flannelConfigs() {
            return configs;
        }

        public List<Log> logs(Instant from, Instant to) {
            return List.of();
        }
    }
}
