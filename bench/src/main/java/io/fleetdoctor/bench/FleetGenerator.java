package io.fleetdoctor.bench;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.ContainerLog;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.PodRestart;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A synthetic fleet of {@code clusters × nodes} in the contract's signal mix, healthy (no rule fires on it):
 * per cluster a flannel config (again every 10 min), the control-plane restart baselines and one NIC per node;
 * per node a {@code process-io} sample every 10 s and a heartbeat every 30 s; per cluster a watcher
 * heartbeat every 30 s and, now and then, a worker pod restart with its previous log. Cluster ids are
 * {@code <prefix>-<n>}. Deterministic: the same arguments give the same records.
 */
public final class FleetGenerator {
    /** One Kafka record: key = cluster id, value = the CloudEvent. */
    public record Rec(String key, byte[] value) {
    }

    private final String prefix;
    private final int clusters;
    private final int nodes;
    private long seq;

    public FleetGenerator(String prefix, int clusters, int nodes) {
        this.prefix = prefix;
        this.clusters = clusters;
        this.nodes = nodes;
    }

    public String cluster(int c) {
        return prefix + "-" + c;
    }

    public int clusters() {
        return clusters;
    }

    public int nodes() {
        return nodes;
    }

    /** Per cluster: flannel config, control-plane baselines, each node's interfaces. */
    public void setup(Instant t, Consumer<Rec> out) {
        for (int c = 0; c < clusters; c++) {
            setupCluster(c, t, out);
        }
    }

    public void setupCluster(int c, Instant t, Consumer<Rec> out) {
        String cluster = cluster(c);
        out.accept(config(cluster, t));
        for (String comp : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")) {
            out.accept(encode(cluster, CloudEvent.of(id(cluster), CloudEvent.collectorSource(cluster), t, cluster, null,
                    new PodRestart("kube-system", comp + "-master-0", comp, "master-0", comp, true, 0, null))));
        }
        for (int n = 0; n < nodes; n++) {
            String node = node(n);
            String ip = ip(c, n);
            out.accept(encode(cluster, CloudEvent.of(id(cluster), CloudEvent.agentSource(cluster, node), t, cluster, null,
                    new NodeInterfaces(node, ip, "5.15.0-91-generic", List.of(
                            new NodeInterfaces.Interface("lo", false, true, List.of("127.0.0.1/8"), false),
                            new NodeInterfaces.Interface("eth0", true, true, List.of(ip + "/16"), true))))));
        }
    }

    /**
     * The signals of one 10 s tick (number {@code tick}, at time {@code t}): every node's process-io; on every
     * third tick the heartbeats; about one cluster in 60 per tick restarts a worker pod (restart + previous log);
     * every 60th tick of a cluster (staggered) its flannel config again.
     */
    public void tick(long tick, Instant t, Consumer<Rec> out) {
        String time = t.toString();
        for (int c = 0; c < clusters; c++) {
            String cluster = cluster(c);
            for (int n = 0; n < nodes; n++) {
                out.accept(processIo(cluster, n, time, tick));
            }
            if (tick % 3 == 0) {
                out.accept(heartbeat(cluster, null, time));
                for (int n = 0; n < nodes; n++) {
                    out.accept(heartbeat(cluster, node(n), time));
                }
            }
            if ((c * 7 + tick) % 60 == 0) {
                out.accept(config(cluster, t));
            }
            if ((c * 13 + tick * 5) % 59 == 0) {
                int n = (int) ((c + tick) % nodes);
                String pod = "coredns-" + n;
                out.accept(encode(cluster, CloudEvent.of(id(cluster), CloudEvent.collectorSource(cluster), t, cluster, null,
                        new PodRestart("kube-system", pod, "coredns", node(n), "coredns", false, (int) (tick % 1000) + 1,
                                new PodRestart.LastTermination("Error", 1, t.minusSeconds(300), t)))));
                out.accept(encode(cluster, CloudEvent.of(id(cluster), CloudEvent.collectorSource(cluster), t, cluster, null,
                        new ContainerLog("kube-system", pod, "coredns", node(n), true, List.of(
                                "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df5",
                                "[FATAL] plugin/loop: Loop (127.0.0.1:44452 -> :53) detected for zone \".\"")))));
            }
        }
    }

    /** Signals per tick, on average over 3 ticks (process-io + heartbeats; restarts and configs are rare). */
    public double signalsPerTick() {
        return clusters * (nodes + (nodes + 1) / 3.0);
    }

    /** A process-io sample by hand (the hot record: 60 % of the stream), same JSON as EventCodec writes. */
    public Rec processIo(String cluster, int n, String time, long tick) {
        String node = node(n);
        long flannelRead = 1200 + (tick * 31 + n) % 700;
        long kubeletWrite = 90000 + (tick * 17 + n * 3) % 40000;
        String json = "{\"specversion\":\"1.0\",\"id\":\"" + id(cluster) + "\",\"source\":\"/clusters/" + cluster
                + "/nodes/" + node + "/agent\",\"type\":\"io.fleetdoctor.signal.process-io.v1\",\"time\":\"" + time
                + "\",\"cluster\":\"" + cluster + "\",\"datacontenttype\":\"application/json\",\"data\":{\"node\":\"" + node
                + "\",\"intervalSeconds\":10,\"processes\":["
                + "{\"pid\":" + (2000 + n) + ",\"name\":\"flanneld\",\"readBytesPerSec\":" + flannelRead + ",\"writeBytesPerSec\":800},"
                + "{\"pid\":1100,\"name\":\"kubelet\",\"readBytesPerSec\":5000,\"writeBytesPerSec\":" + kubeletWrite + "},"
                + "{\"pid\":980,\"name\":\"containerd\",\"readBytesPerSec\":2048,\"writeBytesPerSec\":65536}]}}";
        return new Rec(cluster, json.getBytes(StandardCharsets.UTF_8));
    }

    public Rec heartbeat(String cluster, String node, String time) {
        String source = node == null ? "/clusters/" + cluster + "/collector" : "/clusters/" + cluster + "/nodes/" + node + "/agent";
        String data = node == null ? "{\"component\":\"cluster-watcher\"}" : "{\"component\":\"node-agent\",\"node\":\"" + node + "\"}";
        String json = "{\"specversion\":\"1.0\",\"id\":\"" + id(cluster) + "\",\"source\":\"" + source
                + "\",\"type\":\"io.fleetdoctor.signal.heartbeat.v1\",\"time\":\"" + time + "\",\"cluster\":\"" + cluster
                + "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
        return new Rec(cluster, json.getBytes(StandardCharsets.UTF_8));
    }

    private Rec config(String cluster, Instant t) {
        return encode(cluster, CloudEvent.of(id(cluster), CloudEvent.collectorSource(cluster), t, cluster, null,
                new FlannelConfig("kube-system", "kube-flannel-ds", "kube-flannel", "quay.io/coreos/flannel:v0.13.0",
                        "v0.13.0", List.of("/opt/bin/flanneld"), List.of("--ip-masq", "--kube-subnet-mgr", "--iface=eth0"),
                        Map.of(), "1", nodes, nodes)));
    }

    private static Rec encode(String cluster, CloudEvent<?> e) {
        return new Rec(cluster, EventCodec.encode(e));
    }

    private String id(String cluster) {
        return cluster + "-" + (++seq);
    }

    static String node(int n) {
        return "node-" + n;
    }

    private static String ip(int c, int n) {
        return "10." + (c / 250 % 250) + "." + (n / 250 % 250 + c % 250 / 50 * 5) + "." + (n % 250 + 1);
    }
}
