package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.NodeInterfaces.Interface;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.playbook.ClusterView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster window as the rule reads it, built by hand: by default the churn and the flanneld spike of
 * the incident (three control-plane restarts, flanneld at 40 MiB/s on every node); tests add the part
 * under test (interfaces, flannel's spec, flanneld's startup lines).
 */
final class FakeCluster implements ClusterView {
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    static final Instant NOW = T0.plusSeconds(15 * 60);

    private final Map<String, Inventory> inventories = new TreeMap<>();
    private final Map<String, List<Log>> startup = new TreeMap<>();
    private final List<Config> configs = new ArrayList<>();
    private final List<RestartIncrease> restarts = new ArrayList<>();
    private final Map<String, List<IoSample>> spikes = new TreeMap<>();
    private int seq;

    FakeCluster(String... nodes) {
        for (String node : nodes) {
            spikes.put(node, new ArrayList<>());
            for (int i = 1; i <= 8; i++) {
                spikes.get(node).add(new IoSample("io-" + node + i, T0.plusSeconds(60L * i), "flanneld", 2231,
                        40 * 1024 * 1024));
            }
        }
        for (int i = 0; i < 3; i++) {
            String c = i % 2 == 0 ? "kube-controller-manager" : "kube-scheduler";
            restarts.add(new RestartIncrease("r" + i, T0.plusSeconds(120L + 240 * i), c + "-master01", c, "master01",
                    c, i / 2, i / 2 + 1, new PodRestart.LastTermination("Error", 255, null, T0.plusSeconds(100L + 240 * i))));
        }
    }

    FakeCluster flannel(String image, List<String> command, List<String> args, Map<String, String> env,
                        Map<String, String> envRefs, List<String> envFrom) {
        configs.add(new Config("cfg" + (++seq), T0, new FlannelConfig("kube-system", "kube-flannel-ds",
                "kube-flannel", image, ImageRef.tag(image), command, args, env, "7", 3, 3, envRefs, envFrom)));
        return this;
    }

    FakeCluster flannel(String image, String... args) {
        return flannel(image, List.of("/opt/bin/flanneld"), List.of(args), Map.of(), Map.of(), List.of());
    }

    FakeCluster node(String node, String hostIP, Interface... interfaces) {
        List<Interface> all = new ArrayList<>(List.of(interfaces));
        all.add(0, new Interface("lo", false, true, List.of("127.0.0.1/8"), false, "virtual", List.of()));
        inventories.put(node, new Inventory("inv-" + node, T0, new NodeInterfaces(node, hostIP, "5.15.0", all)));
        return this;
    }

    /** flanneld's startup lines on a node, as the window keeps them. */
    FakeCluster startup(String node, String... lines) {
        startup.put(node, List.of(new Log("log-" + node, T0.plusSeconds(30), "kube-flannel-ds-" + node, "kube-flannel",
                node, false, List.of(lines))));
        return this;
    }

    static Interface nic(String name, String cidr, boolean defaultRoute) {
        return new Interface(name, true, true, List.of(cidr), defaultRoute, "physical", List.of());
    }

    static Interface dev(String name, String kind, List<String> lower, String cidr, boolean defaultRoute) {
        return new Interface(name, kind.equals("physical"), true, cidr == null ? List.of() : List.of(cidr), defaultRoute,
                kind, lower);
    }

    @Override
    public String cluster() {
        return "c1";
    }

    @Override
    public List<RestartIncrease> restartIncreases(Instant from, Instant to) {
        return restarts.stream().filter(r -> r.time().isAfter(from) && !r.time().isAfter(to)).toList();
    }

    @Override
    public Collection<String> nodes() {
        TreeMap<String, Boolean> all = new TreeMap<>();
        spikes.keySet().forEach(n -> all.put(n, true));
        inventories.keySet().forEach(n -> all.put(n, true));
        return all.keySet();
    }

    @Override
    public Inventory inventory(String node) {
        return inventories.get(node);
    }

    @Override
    public List<Log> startupLines(String node) {
        return startup.getOrDefault(node, List.of());
    }

    @Override
    public List<IoSample> ioSpikes(String node, Instant from, Instant to) {
        return spikes.getOrDefault(node, List.of()).stream()
                .filter(s -> s.time().isAfter(from) && !s.time().isAfter(to)).toList();
    }

    @Override
    public IoSample lastIo(String node) {
        List<IoSample> l = spikes.get(node);
        return l == null || l.isEmpty() ? null : l.get(l.size() - 1);
    }

    @Override
    public Collection<Config> flannelConfigs() {
        return configs;
    }

    @Override
    public List<Log> logs(Instant from, Instant to) {
        return List.of();
    }
}
