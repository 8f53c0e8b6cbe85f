package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.playbook.fix.FixBuilder.LiveDaemonSet;
import io.fleetdoctor.playbook.fix.Ownership;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who manages a flannel DaemonSet, from its labels and annotations, and the change proposed at that source: a
 * live patch of a managed DaemonSet is reverted (Helm upgrade, Argo CD/Flux sync, RKE2's helm-controller,
 * addon-manager's reconcile every minute), so the fix belongs where the DaemonSet comes from. Pure.
 */
public final class FlannelOwnership {
    public static final String HELM = "helm";
    public static final String ARGOCD = "argocd";
    public static final String FLUX = "flux";
    public static final String RKE2 = "rke2-helm-controller";
    public static final String ADDON_MANAGER = "addon-manager";
    public static final String K3S = "k3s";

    static final String HELM_MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String HELM_RELEASE = "meta.helm.sh/release-name";
    static final String HELM_RELEASE_NS = "meta.helm.sh/release-namespace";
    static final String ARGO_INSTANCE = "argocd.argoproj.io/instance";
    static final String ARGO_TRACKING = "argocd.argoproj.io/tracking-id";
    static final String FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/name";
    static final String FLUX_HELMRELEASE = "helm.toolkit.fluxcd.io/name";
    static final String OBJECTSET_OWNER_GVK = "objectset.rio.cattle.io/owner-gvk";
    static final String HELMCHART_PREFIX = "helmcharts.helm.cattle.io/";
    static final String ADDON_MODE = "addonmanager.kubernetes.io/mode";

    /** What the plan changes, for the source change. */
    public record Change(List<String> iface, String ifaceRegex, String targetImage, String flanneldContainer) {
    }

    private FlannelOwnership() {
    }

    /** The manager and its evidence ({@code key=value}), or null when the labels and annotations name none. */
    public static String[] detect(Map<String, String> labels, Map<String, String> annotations) {
        Map<String, String> all = new java.util.TreeMap<>(annotations);
        all.putAll(labels);
        String gvk = all.get(OBJECTSET_OWNER_GVK);
        if (gvk != null && gvk.contains("HelmChart")) {
            return new String[]{RKE2, OBJECTSET_OWNER_GVK + "=" + gvk};
        }
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (e.getKey().startsWith(HELMCHART_PREFIX)) {
                return new String[]{RKE2, e.getKey() + "=" + e.getValue()};
            }
        }
        String release = all.get(HELM_RELEASE);
        if (release != null && release.startsWith("rke2-")) {
            // RKE2's packaged charts (rke2-canal, rke2-flannel) are installed by its helm-controller from a HelmChart
            return new String[]{RKE2, HELM_RELEASE + "=" + release};
        }
        if (labels.containsKey(ARGO_INSTANCE)) {
            return new String[]{ARGOCD, ARGO_INSTANCE + "=" + labels.get(ARGO_INSTANCE)};
        }
        if (annotations.containsKey(ARGO_TRACKING)) {
            return new String[]{ARGOCD, ARGO_TRACKING + "=" + annotations.get(ARGO_TRACKING)};
        }
        if (all.containsKey(FLUX_HELMRELEASE)) {
            return new String[]{FLUX, FLUX_HELMRELEASE + "=" + all.get(FLUX_HELMRELEASE)};
        }
        if (all.containsKey(FLUX_KUSTOMIZATION)) {
            return new String[]{FLUX, FLUX_KUSTOMIZATION + "=" + all.get(FLUX_KUSTOMIZATION)};
        }
        if ("Helm".equals(labels.get(HELM_MANAGED_BY))) {
            return new String[]{HELM, HELM_MANAGED_BY + "=Helm"};
        }
        if (release != null) {
            return new String[]{HELM, HELM_RELEASE + "=" + release};
        }
        if ("Reconcile".equals(labels.get(ADDON_MODE))) {
            return new String[]{ADDON_MANAGER, ADDON_MODE + "=Reconcile"};
        }
        return null; // addonmanager.kubernetes.io/mode=EnsureExists only creates a missing object: a patch stays
    }

    /** The owner of a DaemonSet with the change at its source, or null when nobody manages it. */
    public static Ownership of(LiveDaemonSet live, DaemonSetSpec after, Change change) {
        String[] m = detect(live.labels(), live.annotations());
        if (m == null) {
            return null;
        }
        Map<String, String> all = new java.util.TreeMap<>(live.annotations());
        all.putAll(live.labels());
        String source = switch (m[0]) {
            case RKE2 -> helmChartConfig(all.getOrDefault(HELM_RELEASE, live.name()), live.namespace(), change);
            case HELM -> after == null ? refusedNote() : flannelChartValues(live, after, change, "# Helm release "
                    + all.getOrDefault(HELM_RELEASE, "<release>") + " in " + all.getOrDefault(HELM_RELEASE_NS,
                    live.namespace()) + ": values of the flannel chart (flannel-io/flannel chart/kube-flannel); apply"
                    + " with\n#   helm upgrade " + all.getOrDefault(HELM_RELEASE, "<release>") + " <chart> -n "
                    + all.getOrDefault(HELM_RELEASE_NS, live.namespace())
                    + " --reuse-values -f flannel-fix-values.yaml\n");
            case FLUX -> all.containsKey(FLUX_HELMRELEASE)
                    ? (after == null ? refusedNote() : flannelChartValues(live, after, change, "# Flux HelmRelease "
                    + all.get(FLUX_HELMRELEASE) + ": merge into its spec.values in Git (keys of the flannel chart,"
                    + " flannel-io/flannel chart/kube-flannel)\n"))
                    : kustomizePatch(live, after, "# Flux Kustomization " + all.get(FLUX_KUSTOMIZATION)
                    + ": add to the kustomization.yaml of its Git path:\n#   patches:\n#   - path: flannel-fix.yaml\n");
            case ARGOCD -> kustomizePatch(live, after, "# Argo CD application "
                    + all.getOrDefault(ARGO_INSTANCE, all.get(ARGO_TRACKING))
                    + ": add to the kustomization.yaml of the Git path it syncs (an application from a Helm chart:"
                    + " set the same in its values):\n#   patches:\n#   - path: flannel-fix.yaml\n");
            default -> kustomizePatch(live, after, "# addon-manager reconciles the file under the addons directory"
                    + " of every control-plane node (e.g. /etc/kubernetes/addons/):\n# merge this patch into it"
                    + " (kubectl patch --local --type=strategic -f FILE --patch-file flannel-fix.yaml -o yaml)\n");
        };
        return new Ownership(m[0], m[1], source);
    }

    /** k3s runs flannel inside its own process: the interface is a k3s flag on every server and agent. */
    public static Ownership k3s(String evidence, List<String> iface, String ifaceRegex) {
        StringBuilder s = new StringBuilder("# k3s runs flannel inside k3s (no flannel DaemonSet): set the interface"
                + " on every server and agent,\n# then restart k3s there (systemctl restart k3s / k3s-agent).\n");
        if (ifaceRegex != null) {
            s.append("# k3s takes one interface name (no regex): choose each node's name matching ")
                    .append(ifaceRegex).append("\n# /etc/rancher/k3s/config.yaml\nflannel-iface: \"<name on this node>\"\n");
        } else if (iface.isEmpty()) {
            s.append("# /etc/rancher/k3s/config.yaml\nflannel-iface: \"<interface name>\"\n");
        } else {
            if (iface.size() > 1) {
                s.append("# k3s takes one interface name: the first of ").append(String.join(", ", iface))
                        .append(" present on the node\n");
            }
            s.append("# /etc/rancher/k3s/config.yaml (or the flag --flannel-iface=").append(iface.get(0))
                    .append(")\nflannel-iface: ").append(q(iface.get(0))).append('\n');
        }
        return new Ownership(K3S, evidence, s.toString());
    }

    // ------------------------------------------------------------------ source changes

    private static String refusedNote() {
        return "# no source change: the plan is refused (see its reason)\n";
    }

    /** RKE2's rke2-canal chart: flannel.iface → canal_iface (FLANNELD_IFACE), flannel.regexIface → canal_iface_regex. */
    static String helmChartConfig(String release, String namespace, Change change) {
        StringBuilder values = new StringBuilder("flannel:\n");
        boolean any = false;
        String note = "";
        if (change.ifaceRegex() != null) {
            values.append("  regexIface: ").append(q(change.ifaceRegex())).append('\n');
            any = true;
        } else if (change.iface().size() == 1) {
            values.append("  iface: ").append(q(change.iface().get(0))).append('\n');
            any = true;
        } else if (change.iface().size() > 1) {
            // FLANNELD_IFACE is one value: several names become one anchored regex (tried in the node's order)
            values.append("  regexIface: ").append(q("^(" + String.join("|", change.iface().stream()
                    .map(n -> n.replace(".", "\\.")).toList()) + ")$")).append('\n');
            note = "# canal_iface holds one name: " + String.join(", ", change.iface())
                    + " are given as one regex (first match in the node's interface order)\n";
            any = true;
        }
        if (change.targetImage() != null) {
            values.append("  image:\n    tag: ").append(q(ImageRef.tag(change.targetImage()))).append('\n');
            any = true;
        }
        if (!any) {
            return "# nothing to change at the source\n";
        }
        StringBuilder s = new StringBuilder("# RKE2: save on a server node as /var/lib/rancher/rke2/server/manifests/"
                + release + "-config.yaml\n# (or kubectl apply); the helm-controller then upgrades the chart.\n");
        s.append(note);
        s.append("apiVersion: helm.cattle.io/v1\nkind: HelmChartConfig\nmetadata:\n  name: ").append(release)
                .append("\n  namespace: ").append(namespace).append("\nspec:\n  valuesContent: |-\n");
        values.toString().lines().forEach(l -> s.append("    ").append(l).append('\n'));
        return s.toString();
    }

    /**
     * Values of flannel's chart (flannel-io/flannel chart/kube-flannel): {@code flannel.args} is the whole list of
     * flanneld's flags (Helm replaces lists), without the {@code --healthz-port} the chart adds from
     * {@code flannel.healthz.port}; {@code flannel.image.tag} sets kube-flannel's and install-cni's image.
     */
    static String flannelChartValues(LiveDaemonSet live, DaemonSetSpec after, Change change, String header) {
        Container before = container(live.spec().getTemplate().getSpec(), change.flanneldContainer());
        Container now = container(after.getTemplate().getSpec(), change.flanneldContainer());
        StringBuilder s = new StringBuilder(header)
                .append("# other charts name these values differently: set the same flags and tag there.\n")
                .append("flannel:\n");
        boolean any = false;
        List<String> flagsBefore = flanneldFlags(before);
        List<String> flagsAfter = flanneldFlags(now);
        if (!flagsAfter.equals(flagsBefore)) {
            s.append("  # the whole list: Helm replaces lists\n  args:\n");
            flagsAfter.forEach(f -> s.append("  - ").append(q(f)).append('\n'));
            any = true;
        }
        if (now != null && before != null && !Objects.equals(now.getImage(), before.getImage())) {
            s.append("  image:\n    tag: ").append(q(ImageRef.tag(now.getImage()))).append('\n');
            for (Container c : all(after.getTemplate().getSpec())) {
                String why = FlannelImages.unsupported(c, now.getImage());
                if (why != null) {
                    s.append("  # flannel.image.tag also sets ").append(c.getName()).append(", which ").append(why)
                            .append(":\n  # set flannel.skipCNIConfigInstallation=true or keep the tag\n");
                }
            }
            any = true;
        }
        return any ? s.toString() : "# nothing to change at the source\n";
    }

    /** flanneld's flags as the chart renders them from flannel.args (the command after flanneld, then args). */
    private static List<String> flanneldFlags(Container c) {
        List<String> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        List<String> tokens = new ArrayList<>(c.getCommand() == null ? List.of() : c.getCommand());
        if (!tokens.isEmpty()) {
            tokens.remove(0);
        }
        tokens.addAll(c.getArgs() == null ? List.of() : c.getArgs());
        for (String t : tokens) {
            if (!"healthz-port".equals(FlannelSpec.flagName(t))) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * A strategic-merge patch with what the plan changes in each container (containers merge by name; command and
     * args are replaced whole, so they are given whole).
     */
    static String kustomizePatch(LiveDaemonSet live, DaemonSetSpec after, String header) {
        if (after == null) {
            return header + refusedNote();
        }
        StringBuilder s = new StringBuilder(header);
        s.append("# flannel-fix.yaml\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ").append(live.name())
                .append("\n  namespace: ").append(live.namespace()).append("\nspec:\n  template:\n    spec:\n");
        PodSpec b = live.spec().getTemplate().getSpec();
        PodSpec a = after.getTemplate().getSpec();
        boolean any = appendContainers(s, "initContainers", b.getInitContainers(), a.getInitContainers());
        any |= appendContainers(s, "containers", b.getContainers(), a.getContainers());
        return any ? s.toString() : "# nothing to change at the source\n";
    }

    private static boolean appendContainers(StringBuilder s, String field, List<Container> before, List<Container> after) {
        StringBuilder part = new StringBuilder();
        for (Container c : after == null ? List.<Container>of() : after) {
            Container old = before == null ? null : before.stream().filter(x -> Objects.equals(x.getName(), c.getName()))
                    .findFirst().orElse(null);
            if (old == null) {
                continue;
            }
            StringBuilder one = new StringBuilder();
            if (!Objects.equals(old.getImage(), c.getImage())) {
                one.append("        image: ").append(q(c.getImage())).append('\n');
            }
            if (!Objects.equals(old.getCommand(), c.getCommand()) && c.getCommand() != null) {
                one.append("        command:\n");
                c.getCommand().forEach(t -> one.append("        - ").append(q(t)).append('\n'));
            }
            if (!Objects.equals(old.getArgs(), c.getArgs()) && c.getArgs() != null) {
                one.append("        args:\n");
                c.getArgs().forEach(t -> one.append("        - ").append(q(t)).append('\n'));
            }
            if (!one.isEmpty()) {
                part.append("      - name: ").append(c.getName()).append('\n').append(one);
            }
        }
        if (part.isEmpty()) {
            return false;
        }
        s.append("      ").append(field).append(":\n").append(part);
        return true;
    }

    private static Container container(PodSpec pod, String name) {
        for (Container c : all(pod)) {
            if (Objects.equals(c.getName(), name)) {
                return c;
            }
        }
        return null;
    }

    private static List<Container> all(PodSpec pod) {
        return FlannelFixBuilder.all(pod);
    }

    /** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
    static String q(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
        return out.append('"').toString();
    }
}
