package io.fleetdoctor.playbooks.flanneloom;

import io.fleetdoctor.events.Decision;
import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.playbook.ClusterView;
import io.fleetdoctor.playbook.Finding;
import io.fleetdoctor.playbook.Rule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * flannel-oom: flanneld is OOM-killed again and again on a node (kube-flannel's upstream manifest limits
 * it to 50Mi, too little on busy nodes). Fires on {@code min-oom-kills} restarts of a flannel container
 * whose last termination is {@code OOMKilled} within the window on any one node.
 */
public final class FlannelOomRule implements Rule {
    public static final String ID = "flannel-oom";
    public static final String ACTION = "flannel-oom-fix";
    static final String OOM = "OOMKilled";

    private final Function<String, FlannelOomSettings> settings;

    public FlannelOomRule(Function<String, FlannelOomSettings> settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Duration resolveAfter(String cluster) {
        return settings.apply(cluster).resolveAfter();
    }

    /** A flannel pod's container (by pod, component or container name: every flannel manifest names them so). */
    static boolean isFlannel(String pod, String component, String container) {
        return contains(pod) || contains(component) || contains(container);
    }

    private static boolean contains(String s) {
        return s != null && s.contains("flannel");
    }

    @Override
    public Finding evaluate(ClusterView view, Instant now) {
        FlannelOomSettings s = settings.apply(view.cluster());
        Map<String, FlannelConfig> byDaemonSet = new TreeMap<>();
        for (ClusterView.Config c : view.flannelConfigs()) {
            byDaemonSet.put(c.config().daemonSet(), c.config());
        }
        Map<String, List<ClusterView.RestartIncrease>> byNode = new TreeMap<>();
        for (ClusterView.RestartIncrease r : view.restartIncreases(now.minus(s.window()), now)) {
            if (r.termination() != null && OOM.equals(r.termination().reason())
                    && isFlannel(r.pod(), r.component(), r.container())) {
                byNode.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, List<ClusterView.RestartIncrease>> firing = new TreeMap<>();
        byNode.forEach((node, rs) -> {
            if (rs.stream().mapToInt(ClusterView.RestartIncrease::increase).sum() >= s.minOomKills()) {
                firing.put(node, rs);
            }
        });
        if (firing.isEmpty()) {
            return Finding.quiet(ID, "fewer than " + s.minOomKills() + " flannel OOM kills on any node");
        }

        List<Decision.Evidence> ev = new ArrayList<>();
        TreeSet<String> daemonSets = new TreeSet<>();
        String namespace = null;
        String container = null;
        String image = "";
        int kills = 0;
        for (List<ClusterView.RestartIncrease> rs : firing.values()) {
            for (ClusterView.RestartIncrease r : rs) {
                kills += r.increase();
                ev.add(new Decision.Evidence(r.signalId(), "pod-restart", r.node(), r.pod() + "/" + r.container()
                        + " OOM-killed (restartCount " + r.from() + "→" + r.to() + ", exit "
                        + r.termination().exitCode() + ")"));
                FlannelConfig fc = byDaemonSet.get(r.component());
                if (fc != null) {
                    daemonSets.add(fc.daemonSet());
                    namespace = fc.namespace();
                    container = fc.container();
                    image = fc.image();
                }
            }
        }
        if (namespace == null) {
            return Finding.quiet(ID, "flannel OOM kills seen, but no flannel DaemonSet config names their owner");
        }
        String summary = view.cluster() + ": flanneld OOM-killed " + kills + " times in " + Finding.span(s.window()) + " on "
                + String.join(", ", firing.keySet()) + ": raise the memory limit of " + namespace + "/"
                + String.join(",", daemonSets) + " (" + container + "; doubled, at most " + s.maxMemoryLimit() + ")";
        Decision.Recommendation rec = new Decision.Recommendation(ACTION, namespace, List.copyOf(daemonSets), container,
                image, null, List.of(), null, List.of());
        return new Finding(ID, true, "critical", 0.9, summary, ev, rec);
    }
}
