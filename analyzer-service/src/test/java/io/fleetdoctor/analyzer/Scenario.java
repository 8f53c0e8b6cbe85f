package io.fleetdoctor.analyzer;

import io.fleetdoctor.analyzer.config.RuleRegistry;
import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.EventData;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.PodRestart;
import io.fleetdoctor.events.ProcessIo;
import io.fleetdoctor.analyzer.replay.ReplayMain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds signal traces for engine and rule tests: by default the incident of INCIDENT.md on a
 * three-node cluster, which tests then bend into near misses.
 */
public final class Scenario {
    public static final Instant T0 = Instant.parse("2020-12-22T13:00:00Z");
    public static final double SPIKE = 40 * 1024 * 1024;
    public static final double IDLE = 2000;

    public final String cluster;
    private final List<CloudEvent<?>> events = new ArrayList<>();
    /** Events delivered at another time than they carry (a clock far off for one event). */
    private final Map<CloudEvent<?>, Instant> deliveredAt = new java.util.IdentityHashMap<>();
    /** Sources whose clock is off: their events keep their place in delivery order but carry time + skew. */
    private final Map<String, Duration> skews = new java.util.HashMap<>();
    private int seq;

    public Scenario(String cluster) {
        this.cluster = cluster;
    }

    /** The seed incident: unbound flannel v0.13.1-rc1, two NICs everywhere, flanneld spiking, 3 restarts. */
    public static Scenario incident(String cluster) {
        Scenario s = new Scenario(cluster);
        s.baseline("kube-controller-manager", 0).baseline("kube-scheduler", 0)
                .flannel("quay.io/coreos/flannel:v0.13.1-rc1", List.of("--ip-masq", "--kube-subnet-mgr"), Map.of())
                .twoNicNodes("eth0", "eth0", "eth0")
                .io(Duration.ofMinutes(1), Duration.ofMinutes(20), "flanneld", SPIKE, "master01", "node01")
                .restart(Duration.ofMinutes(2), "kube-controller-manager", 1)
                .restart(Duration.ofMinutes(7), "kube-scheduler", 1)
                .restart(Duration.ofMinutes(12), "kube-controller-manager", 2);
        return s;
    }

    public static final List<String> NODES = List.of("master01", "node01", "node02");

    public Scenario add(Duration at, String source, String subject, EventData data) {
        events.add(CloudEvent.of(cluster + "-" + (++seq), source, T0.plus(at), cluster, subject, data));
        return this;
    }

    public Scenario addRaw(CloudEvent<?> e) {
        events.add(e);
        return this;
    }

    public Scenario baseline(String component, int count) {
        return restartAt(Duration.ZERO, component, count);
    }

    public Scenario restart(Duration at, String component, int count) {
        return restartAt(at, component, count);
    }

    private Scenario restartAt(Duration at, String component, int count) {
        PodRestart.LastTermination term = count == 0 ? null
                : new PodRestart.LastTermination("Error", 255, T0.plus(at).minusSeconds(600), T0.plus(at).minusSeconds(2));
        return add(at, CloudEvent.collectorSource(cluster), "kube-system/pod/" + component + "-master01",
                new PodRestart("kube-system", component + "-master01", component, "master01", component, true,
                        count, term));
    }

    public Scenario log(Duration at, String component, String... lines) {
        return add(at, CloudEvent.collectorSource(cluster), null,
                new ContainerLog("kube-system", component + "-master01", component, "master01", true, List.of(lines)));
    }

    public Scenario flannel(String image, List<String> args, Map<String, String> env) {
        return flannelDs("kube-flannel-ds", image, List.of("/opt/bin/flanneld"), args, env);
    }

    public Scenario flannelDs(String name, String image, List<String> command, List<String> args,
                              Map<String, String> env) {
        String tag = image.substring(image.lastIndexOf(':') + 1);
        return add(Duration.ZERO, CloudEvent.collectorSource(cluster), "kube-system/daemonset/" + name,
                new FlannelConfig("kube-system", name, "kube-flannel", image, tag, command, args, env, "1042", 3, 3));
    }

    /** Nodes master01, node01, node02 with hostIP on the given interface names, plus eth1 (default route). */
    public Scenario twoNicNodes(String... hostIfaces) {
        for (int i = 0; i < hostIfaces.length; i++) {
            inventory(NODES.get(i), hostIfaces[i], true, "3.10.0-1160.el7.x86_64");
        }
        return this;
    }

    public Scenario inventory(String node, String hostIface, boolean secondNic, String kernel) {
        int n = NODES.indexOf(node) + 11;
        List<NodeInterfaces.Interface> ifs = new ArrayList<>();
        ifs.add(new NodeInterfaces.Interface("lo", false, true, List.of("127.0.0.1/8"), false));
        ifs.add(new NodeInterfaces.Interface(hostIface, true, true, List.of("192.168.10." + n + "/24"), !secondNic));
        if (secondNic) {
            ifs.add(new NodeInterfaces.Interface("eth1", true, true, List.of("10.20.0." + n + "/24"), true));
        }
        ifs.add(new NodeInterfaces.Interface("flannel.1", false, true, List.of("10.244.0.0/32"), false));
        return add(Duration.ZERO, CloudEvent.agentSource(cluster, node), null,
                new NodeInterfaces(node, "192.168.10." + n, kernel, ifs));
    }

    /** A sample every 10 s in {@code [from, to)} for each node: the named process at the rate, kubelet idle. */
    public Scenario io(Duration from, Duration to, String process, double rate, String... nodes) {
        for (Duration t = from; t.compareTo(to) < 0; t = t.plusSeconds(10)) {
            for (String node : nodes) {
                add(t, CloudEvent.agentSource(cluster, node), null, new ProcessIo(node, 10, List.of(
                        new ProcessIo.Process(2231, process, rate * 0.95, rate * 0.05),
                        new ProcessIo.Process(1100, "kubelet", 5000, 90000))));
            }
        }
        return this;
    }

    /** Heartbeats every 30 s in {@code [from, to)} from the collector and the nodes' agents (default all three). */
    public Scenario heartbeats(Duration from, Duration to, String... nodes) {
        List<String> agents = nodes.length == 0 ? NODES : List.of(nodes);
        for (Duration t = from; t.compareTo(to) < 0; t = t.plusSeconds(30)) {
            heartbeat(t);
            for (String node : agents) {
                add(t, CloudEvent.agentSource(cluster, node), null, new Heartbeat(Heartbeat.NODE_AGENT, node));
            }
        }
        return this;
    }

    /** The clock of {@code source} is off by {@code skew}: its events arrive when they do, stamped time + skew. */
    public Scenario skew(String source, Duration skew) {
        skews.put(source, skew);
        return this;
    }

    /** The source of the collector, or of the named node's agent. */
    public String source(String nodeOrCollector) {
        return "collector".equals(nodeOrCollector) ? CloudEvent.collectorSource(cluster)
                : CloudEvent.agentSource(cluster, nodeOrCollector);
    }

    /** An event stamped {@code time} (whatever its source's clock), delivered when the others are at {@code at}. */
    public Scenario stamped(Duration at, Instant time, String source, String subject, EventData data) {
        CloudEvent<?> e = CloudEvent.of(cluster + "-" + (++seq), source, time, cluster, subject, data);
        events.add(e);
        deliveredAt.put(e, T0.plus(at));
        return this;
    }

    /** A node that only sends heartbeats: known, but without an interface inventory. */
    public Scenario heartbeatFrom(String node) {
        return add(Duration.ofMinutes(1), CloudEvent.agentSource(cluster, node), null,
                new Heartbeat(Heartbeat.NODE_AGENT, node));
    }

    public Scenario heartbeat(Duration at) {
        return add(at, CloudEvent.collectorSource(cluster), null, new Heartbeat(Heartbeat.CLUSTER_WATCHER, null));
    }

    public List<CloudEvent<?>> events() {
        return events;
    }

    /**
     * Events in delivery order (true time, stable for equal times), as the sources would send them,
     * each stamped by its source's clock (see {@link #skew}, {@link #stamped}).
     */
    public List<CloudEvent<?>> sorted() {
        List<CloudEvent<?>> s = new ArrayList<>(events);
        s.sort((a, b) -> deliveredAt.getOrDefault(a, a.time()).compareTo(deliveredAt.getOrDefault(b, b.time())));
        if (skews.isEmpty()) {
            return s;
        }
        List<CloudEvent<?>> out = new ArrayList<>(s.size());
        for (CloudEvent<?> e : s) {
            Duration skew = deliveredAt.containsKey(e) ? null : skews.get(e.source());
            out.add(skew == null ? e : new CloudEvent<>(e.id(), e.source(), e.type(), e.time().plus(skew),
                    e.cluster(), e.subject(), e.data()));
        }
        return out;
    }

    public List<EngineOutput> run() {
        return run(engine(Map.of()));
    }

    public List<EngineOutput> run(AnalyzerEngine engine) {
        List<EngineOutput> out = new ArrayList<>();
        for (CloudEvent<?> e : sorted()) {
            out.addAll(engine.accept(e));
        }
        return out;
    }

    public static List<EngineOutput> published(List<EngineOutput> outputs) {
        return outputs.stream().filter(EngineOutput::publish).toList();
    }

    /** An engine with the default configuration plus the given properties. */
    public static AnalyzerEngine engine(Map<String, String> properties) {
        try {
            return ReplayMain.registry(null, properties).engine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
