package io.fleetdoctor.simulator;

import io.fleetdoctor.playbooks.flannel.FlannelLog;
import io.fleetdoctor.playbooks.flannel.FlannelManifests;
import io.fleetdoctor.playbooks.flannel.FlannelSpec;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fleetdoctor.fixtures.Fixtures;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The incident and its fix, driven by one thread: {@link #seed}, then {@link #tick} every second
 * (flanneld IO, the DaemonSet watch and rollouts) and {@link #restartTick} every {@code --restart-every}
 * (a control-plane restart while the incident runs).
 */
public final class Scenario {
    static final String DS_NAME = "kube-flannel-ds";
    private static final Pattern KLOG = Pattern.compile("^([IWEF])\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}");
    private static final List<String> RESTARTING = List.of("kube-controller-manager", "kube-scheduler");

    private final KubernetesClient client;
    private final LogStore logs;
    private final Options options;
    private final List<NodeTree> trees;
    private final Consumer<String> out;

    private boolean incident = true;
    private boolean flannelPresent = true;
    private int nextRestart;
    private String seenTemplate;
    private Long seenGeneration;
    private String daemonSetNamespace = ClusterObjects.NAMESPACE;
    private final Map<String, String> flannelPods = new LinkedHashMap<>(); // node -> pod name
    private DaemonSetStatus wantStatus;
    private int rollouts;
    private final List<NodeTree> pending = new ArrayList<>();
    private DaemonSet rolloutDs;
    private FlannelSpec rolloutBinding;
    private int rolloutUpdated;
    private int rolloutBroken;
    private boolean rolloutFixed;
    private final List<String> rolloutChoices = new ArrayList<>();
    private long lastTickNanos;

    public Scenario(KubernetesClient client, LogStore logs, Options options, List<NodeTree> trees,
                    Consumer<String> out) {
        this.client = client;
        this.logs = logs;
        this.options = options;
        this.trees = trees;
        this.out = out;
    }

    public boolean incident() {
        return incident || oomIncident;
    }

    /** flannel-oom: flanneld on one node is OOM-killed while the limit is under {@link #OOM_SAFE_MIB}. */
    private boolean oomIncident;
    private int oomKills;
    static final int OOM_SAFE_MIB = 100;

    private boolean oomScenario() {
        return Options.FLANNEL_OOM.equals(options.scenario());
    }

    /** The healthy scenario's flannel: the newest upstream release (origin in the fixture's header). */
    static final String HEALTHY_MANIFEST = "manifests/flannel-v0.28.9.yaml";

    private boolean healthyScenario() {
        return Options.HEALTHY.equals(options.scenario());
    }

    /** The flanneld container's memory limit in MiB, 0 when it has none. */
    static long memoryLimitMiB(DaemonSet ds) {
        var c = FlannelSpec.flanneldContainer(ds);
        if (c == null || c.getResources() == null || c.getResources().getLimits() == null
                || c.getResources().getLimits().get("memory") == null) {
            return 0;
        }
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(c.getResources().getLimits().get("memory"))
                .longValue() / (1024 * 1024);
    }

    // ------------------------------------------------------------------ seeding

    public void seed() throws IOException {
        Instant now = Instant.now();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ClusterObjects.NAMESPACE)
                .endMetadata().build()).create();
        long boot = now.minusSeconds(3 * 24 * 3600).toEpochMilli();
        for (int i = 0; i < trees.size(); i++) {
            NodeTree t = trees.get(i);
            t.create(options.flanneldMiBs(), now.toEpochMilli());
            client.nodes().resource(ClusterObjects.node(t, i, Instant.ofEpochMilli(boot), t.eth1Address())).create();
        }
        NodeTree master = trees.get(0);
        Instant started = Instant.ofEpochMilli(boot).plusSeconds(330);
        for (String component : ClusterObjects.CONTROL_PLANE) {
            Pod pod = ClusterObjects.controlPlanePod(component, master, started);
            createWithStatus(pod);
            Map<String, LogStore.ContainerLogs> c = new LinkedHashMap<>();
            c.put(component, new LogStore.ContainerLogs(currentControlPlaneLog(component, started), null));
            logs.addPod(ClusterObjects.NAMESPACE, pod.getMetadata().getName(), c);
        }

        DaemonSet ds = null;
        try (InputStream in = Fixtures.open(healthyScenario() ? HEALTHY_MANIFEST : Fixtures.FLANNEL_MANIFEST)) {
            List<HasMetadata> items = FlannelManifests.read(in);
            for (HasMetadata item : items) {
                if (item instanceof ConfigMap) {
                    client.resource(item).inNamespace(ns(item)).create();
                }
            }
            ds = FlannelManifests.daemonSets(items).stream().findFirst().orElse(null);
        }
        if (ds == null) {
            throw new IllegalStateException(Fixtures.FLANNEL_MANIFEST + " has no DaemonSet");
        }
        daemonSetNamespace = ns(ds);
        ds.setStatus(null);
        if (oomScenario() || healthyScenario()) {
            // a bound flannel (oom: of the known-good version, only its memory limit is too small)
            var c = FlannelSpec.flanneldContainer(ds);
            c.setImage(c.getImage().replace(BAD_VERSION, "v0.13.0"));
            List<String> args = new ArrayList<>(c.getArgs() == null ? List.of() : c.getArgs());
            args.add("--iface=eth0");
            c.setArgs(args);
        }
        if (options.helm()) {
            // what `helm install flannel` sets on every object of the release
            if (ds.getMetadata().getLabels() == null) {
                ds.getMetadata().setLabels(new LinkedHashMap<>());
            }
            if (ds.getMetadata().getAnnotations() == null) {
                ds.getMetadata().setAnnotations(new LinkedHashMap<>());
            }
            ds.getMetadata().getLabels().put("app.kubernetes.io/managed-by", "Helm");
            ds.getMetadata().getAnnotations().put("meta.helm.sh/release-name", "flannel");
            ds.getMetadata().getAnnotations().put("meta.helm.sh/release-namespace", daemonSetNamespace);
        }
        DaemonSet created = client.apps().daemonSets().inNamespace(daemonSetNamespace).resource(ds).create();
        FlannelSpec b = FlannelSpec.of(created);
        for (NodeTree t : trees) {
            createFlannelPod(created, b, t, ClusterObjects.suffix(t.node() + "/0"),
                    b.chooseInterface(interfaces(t), t.defaultIface()), Instant.ofEpochMilli(boot).plusSeconds(390));
        }
        if (healthyScenario()) {
            incident = false;
            for (NodeTree t : trees) {
                t.restartFlanneld(b.tokens(), false, now.toEpochMilli());
            }
            out.accept("scenario healthy: " + b.describe() + " on " + trees.size() + " nodes, no incident"
                    + (options.helm() ? "; Helm release flannel" : ""));
        }
        if (oomScenario()) {
            incident = false;
            for (NodeTree t : trees) {
                t.restartFlanneld(b.tokens(), false, now.toEpochMilli());
            }
            oomIncident = memoryLimitMiB(created) < OOM_SAFE_MIB;
            out.accept("scenario flannel-oom: " + b.describe() + ", memory limit " + memoryLimitMiB(created)
                    + "Mi; flanneld on " + oomNode().node() + " is OOM-killed every " + options.restartEvery().toSeconds()
                    + "s until the limit is at least " + OOM_SAFE_MIB + "Mi");
        }
        seenTemplate = Serialization.asJson(created.getSpec().getTemplate());
        seenGeneration = created.getMetadata().getGeneration();
        wantStatus = status(created, trees.size());
        writeStatus();
        lastTickNanos = System.nanoTime();
        if (!oomScenario() && !healthyScenario()) {
            String bondedNote = trees.stream().filter(NodeTree::bonded).map(t -> "; " + t.defaultIface() + " on "
                    + t.node()).reduce("", String::concat);
            out.accept("flannel " + DS_NAME + " (" + b.describe() + ") on " + trees.size()
                    + " nodes, flanneld bound to eth1 (default route" + bondedNote + "), reading "
                    + fmtMiB(options.flanneldMiBs()) + " MiB/s per node" + (options.helm()
                    ? "; Helm release flannel (app.kubernetes.io/managed-by: Helm)" : ""));
        }
    }

    private static String ns(HasMetadata m) {
        String ns = m.getMetadata().getNamespace();
        return ns == null || ns.isBlank() ? ClusterObjects.NAMESPACE : ns;
    }

    private void createWithStatus(Pod pod) {
        var status = pod.getStatus();
        Pod created = client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
        if (created.getStatus() == null || !Objects.equals(created.getStatus().getPhase(), status.getPhase())) {
            created.setStatus(status);
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(created).updateStatus();
        }
    }

    private void createFlannelPod(DaemonSet ds, FlannelSpec b, NodeTree t, String suffix, String chosen,
                                  Instant started) {
        Pod pod = ClusterObjects.flannelPod(ds, t, suffix, b.container(), chosen, started);
        createWithStatus(pod);
        String name = pod.getMetadata().getName();
        flannelPods.put(t.node(), name);
        Map<String, LogStore.ContainerLogs> c = new LinkedHashMap<>();
        for (var container : pod.getSpec().getContainers()) {
            c.put(container.getName(), new LogStore.ContainerLogs(container.getName().equals(b.container())
                    ? flanneldLog(t, chosen, b, started) : "", null));
        }
        logs.addPod(ns(pod), name, c);
    }

    // ------------------------------------------------------------------ every second

    /** IO counters, then the DaemonSet: rollout when its template changed, status repair when wiped. */
    public void tick() {
        long now = System.nanoTime();
        double seconds = (now - lastTickNanos) / 1e9;
        lastTickNanos = now;
        long wall = System.currentTimeMillis();
        for (NodeTree t : trees) {
            try {
                t.tick(seconds, wall);
            } catch (IOException e) {
                out.accept("cannot update " + t.procfs() + ": " + e);
            }
        }
        DaemonSet ds;
        try {
            ds = client.apps().daemonSets().inNamespace(daemonSetNamespace).withName(DS_NAME).get();
        } catch (KubernetesClientException e) {
            out.accept("cannot read the flannel DaemonSet: " + e.getMessage());
            return;
        }
        if (ds == null) {
            if (flannelPresent) {
                flannelPresent = false;
                pending.clear();
                deleteFlannelPods();
                for (NodeTree t : trees) {
                    t.setFlanneldIncident(false);
                }
                boolean was = incident;
                incident = false;
                out.accept("flannel DaemonSet deleted: flanneld stopped, IO normal"
                        + (was ? "; restarts stopped" : ""));
            }
            return;
        }
        String template = Serialization.asJson(ds.getSpec().getTemplate());
        if (!flannelPresent || !template.equals(seenTemplate) || !Objects.equals(ds.getMetadata().getGeneration(),
                seenGeneration)) {
            flannelPresent = true;
            rollout(ds, template);
        } else if (!pending.isEmpty()) {
            stepRollout();
        } else if (!Objects.equals(ds.getStatus(), wantStatus)) {
            writeStatus(); // e.g. a client replaced the object and dropped its status
        }
    }

    /**
     * A changed template rolls out like a DaemonSet with maxUnavailable 1: one node per second (the
     * first at once). Meanwhile the status shows the new observedGeneration with fewer updated pods,
     * so a client waiting for the rollout really waits. A change during a rollout restarts it.
     */
    private void rollout(DaemonSet ds, String template) {
        seenTemplate = template;
        seenGeneration = ds.getMetadata().getGeneration();
        rollouts++;
        FlannelSpec b = FlannelSpec.of(ds);
        if (b == null) {
            out.accept("flannel DaemonSet has no containers; ignored");
            pending.clear();
            return;
        }
        rolloutDs = ds;
        rolloutBinding = b;
        pending.clear();
        pending.addAll(trees);
        rolloutUpdated = 0;
        rolloutBroken = 0;
        rolloutFixed = true;
        rolloutChoices.clear();
        out.accept("flannel DaemonSet changed (generation " + seenGeneration + "): " + b.describe() + "; rolling out to "
                + trees.size() + " nodes");
        stepRollout();
    }

    private void stepRollout() {
        NodeTree t = pending.remove(0);
        FlannelSpec b = rolloutBinding;
        Instant now = Instant.now();
        String oldPod = flannelPods.remove(t.node());
        if (oldPod != null) {
            try {
                client.pods().inNamespace(daemonSetNamespace).withName(oldPod).delete();
            } catch (KubernetesClientException e) {
                out.accept("cannot delete pod " + oldPod + ": " + e.getMessage());
            }
            logs.removePod(daemonSetNamespace, oldPod);
        }
        String chosen = b.chooseInterface(interfaces(t), t.defaultIface());
        rolloutChoices.add(t.node() + ":" + (chosen == null ? "none" : chosen));
        boolean nodeFixed = fixes(b, chosen, t.internalIface());
        rolloutFixed &= nodeFixed;
        if (chosen == null) {
            rolloutBroken++;
        }
        try {
            t.restartFlanneld(b.tokens(), chosen != null && !nodeFixed, now.toEpochMilli());
            if (chosen == null) {
                t.setFlanneldIncident(false); // flanneld exits at once: no IO, no pod network
            }
        } catch (IOException e) {
            out.accept("cannot restart flanneld on " + t.node() + ": " + e);
        }
        createFlannelPod(rolloutDs, b, t, ClusterObjects.suffix(t.node() + "/" + rollouts), chosen, now);
        updatePublicIp(t, chosen);
        rolloutUpdated++;
        int n = trees.size();
        wantStatus = new DaemonSetStatusBuilder().withDesiredNumberScheduled(n).withCurrentNumberScheduled(n)
                .withUpdatedNumberScheduled(rolloutUpdated).withNumberReady(n - rolloutBroken)
                .withNumberAvailable(n - rolloutBroken).withNumberUnavailable(rolloutBroken == 0 ? null : rolloutBroken)
                .withNumberMisscheduled(0).withObservedGeneration(rolloutDs.getMetadata().getGeneration()).build();
        writeStatus();
        if (!pending.isEmpty()) {
            return;
        }
        if (oomScenario()) {
            boolean wasOom = oomIncident;
            oomIncident = memoryLimitMiB(rolloutDs) < OOM_SAFE_MIB;
            out.accept("flannel " + (wasOom && !oomIncident ? "patched" : "changed") + ": memory limit "
                    + memoryLimitMiB(rolloutDs) + "Mi; rollout complete" + (wasOom && !oomIncident
                    ? "; OOM kills stopped" : oomIncident ? "; OOM kills continue" : ""));
            return;
        }
        boolean was = incident;
        boolean fixed = rolloutFixed;
        incident = !fixed;
        String what = "flannel " + (was && fixed ? "patched" : "changed") + ": " + b.describe() + "; rollout "
                + (rolloutBroken == 0 ? "complete" : "stuck (" + rolloutBroken
                + " pods crash-looping: no interface matches)") + " (generation " + seenGeneration + ", "
                + String.join(" ", rolloutChoices) + ")";
        if (was && fixed) {
            what += "; restarts stopped, flanneld IO normal";
        } else if (!was && !fixed) {
            what += "; incident resumes";
        } else if (!fixed) {
            what += "; incident continues";
        }
        out.accept(what);
    }

    private void updatePublicIp(NodeTree t, String chosen) {
        Map<String, String> ifs = interfaces(t);
        if (chosen == null || ifs.get(chosen) == null) {
            return;
        }
        try {
            client.nodes().withName(t.node()).edit(n -> {
                n.getMetadata().getAnnotations().put("flannel.alpha.coreos.com/public-ip", ifs.get(chosen));
                return n;
            });
        } catch (KubernetesClientException e) {
            out.accept("cannot annotate node " + t.node() + ": " + e.getMessage());
        }
    }

    private void deleteFlannelPods() {
        for (String pod : flannelPods.values()) {
            try {
                client.pods().inNamespace(daemonSetNamespace).withName(pod).delete();
            } catch (KubernetesClientException e) {
                out.accept("cannot delete pod " + pod + ": " + e.getMessage());
            }
            logs.removePod(daemonSetNamespace, pod);
        }
        flannelPods.clear();
    }

    /** The node's interfaces with an IPv4 address: flanneld cannot use the others (bond ports, eth2). */
    static Map<String, String> interfaces(NodeTree t) {
        return t.ipv4ByInterface();
    }

    private DaemonSetStatus status(DaemonSet ds, int ready) {
        int n = trees.size();
        return new DaemonSetStatusBuilder().withDesiredNumberScheduled(n).withCurrentNumberScheduled(n)
                .withUpdatedNumberScheduled(n).withNumberReady(ready).withNumberAvailable(ready)
                .withNumberUnavailable(n - ready == 0 ? null : n - ready).withNumberMisscheduled(0)
                .withObservedGeneration(ds.getMetadata().getGeneration()).build();
    }

    private void writeStatus() {
        try {
            DaemonSet live = client.apps().daemonSets().inNamespace(daemonSetNamespace).withName(DS_NAME).get();
            if (live == null) {
                return;
            }
            live.setStatus(wantStatus);
            client.apps().daemonSets().inNamespace(daemonSetNamespace).resource(live).updateStatus();
        } catch (KubernetesClientException e) {
            // a concurrent write (409): the next tick tries again
        }
    }

    // ------------------------------------------------------------------ restarts

    /** While the incident runs: kube-controller-manager and kube-scheduler restart in turn. */
    public void restartTick() {
        if (oomScenario()) {
            if (oomIncident) {
                oomKill();
            }
            return;
        }
        if (!incident) {
            return;
        }
        String component = RESTARTING.get(nextRestart++ % RESTARTING.size());
        String name = component + "-" + trees.get(0).node();
        try {
            Pod pod = client.pods().inNamespace(ClusterObjects.NAMESPACE).withName(name).get();
            if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                return;
            }
            Instant now = Instant.now();
            ContainerStatus old = pod.getStatus().getContainerStatuses().get(0);
            Instant startedBefore = old.getState() != null && old.getState().getRunning() != null
                    && old.getState().getRunning().getStartedAt() != null
                    ? Instant.parse(old.getState().getRunning().getStartedAt()) : now.minusSeconds(60);
            int count = (old.getRestartCount() == null ? 0 : old.getRestartCount()) + 1;
            ContainerStatus cs = ClusterObjects.running(component, old.getImage(), count, now, name);
            cs.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                    .withReason("Error").withExitCode(255).withStartedAt(ClusterObjects.time(startedBefore))
                    .withFinishedAt(ClusterObjects.time(now)).withContainerID(old.getContainerID()).endTerminated()
                    .build());
            pod.getStatus().setContainerStatuses(List.of(cs));
            client.pods().inNamespace(ClusterObjects.NAMESPACE).resource(pod).updateStatus();
            logs.restarted(ClusterObjects.NAMESPACE, name, component, previousLog(component, startedBefore, now),
                    currentControlPlaneLog(component, now));
            out.accept(component + " restarted (restartCount " + count + ", exit 255, leaderelection lost)");
        } catch (KubernetesClientException e) {
            out.accept("cannot restart " + name + ": " + e.getMessage());
        }
    }

    private NodeTree oomNode() {
        return trees.get(trees.size() > 1 ? 1 : 0);
    }

    /** flanneld on one node exceeds its limit: the kubelet restarts it, last state OOMKilled, exit 137. */
    private void oomKill() {
        String name = flannelPods.get(oomNode().node());
        if (name == null) {
            return;
        }
        try {
            Pod pod = client.pods().inNamespace(daemonSetNamespace).withName(name).get();
            if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                return;
            }
            DaemonSet own = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewSpec().withNewTemplate()
                    .withSpec(pod.getSpec()).endTemplate().endSpec().build();
            if (memoryLimitMiB(own) >= OOM_SAFE_MIB) {
                return; // a pod of the new template, mid-rollout: it has room
            }
            Instant now = Instant.now();
            List<ContainerStatus> statuses = new ArrayList<>();
            String container = FlannelSpec.flanneldContainer(pod.getSpec().getContainers(), null).getName();
            int count = 0;
            for (ContainerStatus old : pod.getStatus().getContainerStatuses()) {
                if (!old.getName().equals(container)) {
                    statuses.add(old);
                    continue;
                }
                count = (old.getRestartCount() == null ? 0 : old.getRestartCount()) + 1;
                ContainerStatus cs = ClusterObjects.running(container, old.getImage(), count, now, name);
                cs.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                        .withReason("OOMKilled").withExitCode(137).withStartedAt(ClusterObjects.time(now.minusSeconds(5)))
                        .withFinishedAt(ClusterObjects.time(now)).withContainerID(old.getContainerID()).endTerminated()
                        .build());
                statuses.add(cs);
            }
            pod.getStatus().setContainerStatuses(statuses);
            client.pods().inNamespace(daemonSetNamespace).resource(pod).updateStatus();
            oomKills++;
            out.accept("flanneld on " + oomNode().node() + " OOM-killed (restartCount " + count + ", exit 137, "
                    + oomKills + " so far)");
        } catch (KubernetesClientException e) {
            out.accept("cannot restart " + name + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ logs

    String previousLog(String component, Instant started, Instant finished) {
        String fixture = Fixtures.text("logs/" + component + "-previous.log");
        String[] lines = fixture.split("\n");
        int firstError = lines.length;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("E") || lines[i].startsWith("F")) {
                firstError = i;
                break;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            Instant at = i < firstError ? started.plusMillis(100L * i)
                    : finished.minusMillis(500L * (lines.length - 1 - i));
            sb.append(retime(lines[i], at)).append('\n');
        }
        return sb.toString();
    }

    String currentControlPlaneLog(String component, Instant started) {
        if ("etcd".equals(component)) {
            String etcd = Fixtures.text("logs/etcd-slow-disk.log");
            StringBuilder sb = new StringBuilder();
            for (String l : etcd.split("\n")) {
                if (!l.isBlank()) {
                    sb.append(l).append('\n');
                }
            }
            return sb.toString();
        }
        if ("kube-apiserver".equals(component)) {
            return retime("I0101 00:00:00.000000       1 server.go:625] external host was not specified, using "
                    + trees.get(0).eth0Address(), started) + "\n";
        }
        String fixture = Fixtures.text("logs/" + component + "-previous.log");
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (String l : fixture.split("\n")) {
            if (l.startsWith("E") || l.startsWith("F") || l.isBlank()) {
                break;
            }
            sb.append(retime(l, started.plusMillis(100L * i++))).append('\n');
        }
        return sb.toString();
    }

    /**
     * The simulated incident ends on a node when flanneld runs another version than the bad one, bound to the
     * interface of the node's InternalIP (eth0; bond0 on a bonded node).
     */
    static boolean fixes(FlannelSpec b, String chosen, String internalIface) {
        return internalIface.equals(chosen) && b.version() != null && !BAD_VERSION.equals(b.version());
    }

    /** The flannel version of the incident (the fixture's). */
    static final String BAD_VERSION = "v0.13.1-rc1";

    String flanneldLog(NodeTree t, String chosen, FlannelSpec b, Instant started) {
        if (chosen == null) {
            return retime("E0101 00:00:00.000000       1 main.go:289] Failed to find interface to use that matches "
                    + "the interfaces and/or regexes provided", started) + "\n";
        }
        String address = interfaces(t).get(chosen);
        String fixture = Fixtures.text("logs/kube-flannel-start.log");
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (String l : fixture.split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            String line = l;
            if (b.bound() && line.contains(FlannelLog.DEFAULT_MARKER)) {
                continue;
            }
            line = FlannelLog.withChoice(line, chosen, address);
            line = line.replaceAll("Defaulting external address to interface address \\([^)]*\\)",
                    "Defaulting external address to interface address (" + address + ")");
            line = line.replace("Kubernetes Subnet Manager - master01", "Kubernetes Subnet Manager - " + t.node());
            sb.append(retime(line, started.plusMillis(90L * i++))).append('\n');
        }
        return sb.toString();
    }

    /** Replaces the klog header time ({@code I1222 13:25:41.100231}) with {@code at} (UTC). */
    static String retime(String line, Instant at) {
        Matcher m = KLOG.matcher(line);
        if (!m.find()) {
            return line;
        }
        String t = ClusterObjects.utc(at, "MMdd HH:mm:ss") + String.format(".%06d", at.getNano() / 1000);
        return m.group(1) + t + line.substring(m.end());
    }

    private static String fmtMiB(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
