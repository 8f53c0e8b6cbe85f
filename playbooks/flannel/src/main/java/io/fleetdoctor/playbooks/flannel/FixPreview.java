package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.PlanCheck;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code ./fleetdoctor fix-preview FILE.yaml [--iface NAME]... [--iface-regex RX] [--target-image IMAGE]}: the
 * flannel fix's plan for every flannel DaemonSet of a manifest file, offline (no cluster): the unified diff, the
 * checks that need no cluster, the update strategy, the owner with the change at its source, or the refusal.
 * Exit 0 when every DaemonSet has a plan, 3 when one is refused (or the file has no flannel DaemonSet), 2 on a
 * usage error. Without --iface/--iface-regex the flags stay as they are and only the image may change.
 */
public final class FixPreview {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;

    /** Checks that need the cluster's nodes (inventories, kernels): not run offline. */
    static final Set<String> CLUSTER_CHECKS = Set.of("iface-on-every-node", "nodes-with-inventory", "kernel-compatible");

    static final String USAGE_TEXT = """
            usage: fleetdoctor fix-preview FILE.yaml [--iface NAME]... [--iface-regex RX] [--target-image IMAGE]
              the flannel fix for every flannel DaemonSet in FILE, offline: diff, offline checks, owner, or refusal
              --iface NAME         interface flanneld should use (repeat: tried in order)
              --iface-regex RX     or a regex over interface names/addresses (not with --iface)
              --target-image IMG   the image to move to (default: the configured known-good version when the
                                   current one is known-bad, in the same repository)
              exit 0 with a plan, 3 when refused, 2 on a usage error""";

    private FixPreview() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the preview; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, FlannelSettings.defaults());
    }

    static int run(String[] args, PrintStream out, PrintStream err, FlannelSettings settings) {
        String file = null;
        List<String> iface = new ArrayList<>();
        String regex = null;
        String target = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String name = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
                boolean inline = !name.equals(a);
                switch (name) {
                    case "-h", "--help" -> {
                        out.println(USAGE_TEXT);
                        return OK;
                    }
                    case "--iface" -> FlannelFixBuilder.parseOverride(value(args, i, a, inline)).stream()
                            .filter(n -> !iface.contains(n)).forEach(iface::add);
                    case "--iface-regex" -> {
                        if (regex != null) {
                            throw new IllegalArgumentException("--iface-regex given twice");
                        }
                        regex = value(args, i, a, inline);
                        try {
                            Pattern.compile(regex);
                        } catch (PatternSyntaxException e) {
                            throw new IllegalArgumentException("--iface-regex is not a valid regex: " + e.getDescription());
                        }
                        if (regex.isBlank() || regex.chars().anyMatch(Character::isISOControl)) {
                            throw new IllegalArgumentException("--iface-regex is empty or holds control characters");
                        }
                    }
                    case "--target-image" -> {
                        target = value(args, i, a, inline);
                        if (!target.matches("[A-Za-z0-9][A-Za-z0-9._/:@+-]*") || ImageRef.tag(target) == null) {
                            throw new IllegalArgumentException("--target-image must be an image with a tag"
                                    + " (repository:tag), not \"" + target + "\"");
                        }
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown flag " + a);
                        }
                        if (file != null) {
                            throw new IllegalArgumentException("one FILE only (got " + file + " and " + a + ")");
                        }
                        file = a;
                    }
                }
                if (!inline && (name.equals("--iface") || name.equals("--iface-regex") || name.equals("--target-image"))) {
                    i++;
                }
            }
            if (file == null) {
                throw new IllegalArgumentException("FILE is missing");
            }
            if (regex != null && !iface.isEmpty()) {
                throw new IllegalArgumentException("give --iface or --iface-regex, not both");
            }
            if (!Files.isReadable(Path.of(file)) || Files.isDirectory(Path.of(file))) { // /dev/stdin is fine
                throw new IllegalArgumentException("no such file: " + file);
            }
        } catch (IllegalArgumentException e) {
            err.println("fix-preview: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        List<HasMetadata> objects;
        // read whole first: a pipe (/dev/stdin) cannot seek
        try (InputStream in = new java.io.FileInputStream(file)) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            in.transferTo(bytes);
            objects = FlannelManifests.read(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        } catch (Exception e) {
            err.println("fix-preview: cannot read " + file + " as Kubernetes YAML/JSON: " + e.getMessage());
            return USAGE;
        }
        List<DaemonSet> dss = FlannelManifests.daemonSets(objects);
        if (dss.isEmpty()) {
            out.println("REFUSED: no flannel DaemonSet in " + file
                    + " (none labelled app=flannel or k8s-app=flannel, no container running flanneld)");
            return REFUSED;
        }
        List<String> iface2 = List.copyOf(iface);
        out.println("fix-preview " + file + ": " + dss.size() + " flannel DaemonSet(s); interface: "
                + (regex != null ? "--iface-regex=" + regex : iface.isEmpty() ? "flags unchanged"
                : String.join(" ", FlannelFlags.flags(iface2, null))) + "; image: "
                + (target != null ? target : "known-good " + settings.knownGoodVersion() + " when known-bad ("
                + String.join(", ", settings.knownBadVersions()) + ")"));
        int code = OK;
        FlannelFixBuilder builder = new FlannelFixBuilder(settings);
        for (DaemonSet ds : dss) {
            code = Math.max(code, preview(builder, ds, iface2, regex, target, out));
        }
        return code;
    }

    private static String value(String[] args, int i, String a, boolean inline) {
        if (inline) {
            return a.substring(a.indexOf('=') + 1);
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
        }
        return args[i + 1];
    }

    /** One DaemonSet's plan as the remediator would build it, minus what needs the cluster. */
    static int preview(FlannelFixBuilder builder, DaemonSet ds, List<String> iface, String regex, String target,
                       PrintStream out) {
        String ns = ds.getMetadata().getNamespace() == null ? "default" : ds.getMetadata().getNamespace();
        String name = ds.getMetadata().getName();
        Container flanneld = FlannelSpec.flanneldContainer(ds);
        String current = flanneld == null ? null : flanneld.getImage();
        boolean flagsUnchanged = iface.isEmpty() && regex == null;
        Recommendation rec = new Recommendation(Recommendation.FLANNEL_IFACE_FIX, ns, List.of(name),
                flanneld == null ? null : flanneld.getName(), current, target, iface, regex, List.of(), flagsUnchanged);
        FixBuilder.LiveDaemonSet live = new FixBuilder.LiveDaemonSet(ns, name,
                ds.getMetadata().getResourceVersion() == null ? "file" : ds.getMetadata().getResourceVersion(),
                ds.getSpec(), ds.getMetadata().getLabels(), ds.getMetadata().getAnnotations());
        BuiltPlan plan = builder.build(new FixBuilder.Input(rec, List.of(live), Map.of(), Map.of(), null));

        String strategy = FlannelManifests.updateStrategy(ds);
        out.println();
        out.println("== " + ns + "/daemonset/" + name + " (" + ds.getApiVersion() + ", updateStrategy " + strategy
                + ", flanneld in container " + (flanneld == null ? "-" : flanneld.getName()) + ", image " + current + ")");
        List<PlanCheck> offline = plan.checks().stream().filter(c -> !CLUSTER_CHECKS.contains(c.name())).toList();
        boolean refused = plan.blockedReason() != null || plan.changes().isEmpty()
                || offline.stream().anyMatch(c -> !c.passed());
        out.println(refused ? "REFUSED: " + (plan.blockedReason() != null ? plan.blockedReason()
                : offline.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).findFirst()
                .orElse("no change could be built")) : plan.changesAnything() ? "PLAN: changes the DaemonSet (diff below)"
                : "PLAN: nothing to change (the spec already is what the fix would make it)");
        out.println("checks (offline):");
        for (PlanCheck c : offline) {
            out.println("  [" + (c.passed() ? "ok" : "FAIL") + "] " + c.name() + ": " + c.detail());
        }
        out.println("  not run offline: " + String.join(", ", CLUSTER_CHECKS.stream().sorted().toList())
                + " (they need the cluster's nodes)");
        if (DaemonSetChange.ON_DELETE.equals(strategy)) {
            out.println("rollout: OnDelete" + (FlannelManifests.EXTENSIONS_V1BETA1.equals(ds.getApiVersion())
                    ? " (extensions/v1beta1's default)" : "") + ": the DaemonSet controller does not replace pods;"
                    + " after approval fleetdoctor deletes the pods one node at a time, waits for each new pod to be"
                    + " ready and stops on the first failure");
        } else {
            out.println("rollout: RollingUpdate: the DaemonSet controller replaces the pods itself"
                    + " (maxUnavailable " + maxUnavailable(ds) + ")");
        }
        if (plan.owner() != null) {
            out.println("owner: " + plan.owner().manager() + " (" + plan.owner().evidence() + "): a live patch would be"
                    + " reverted; not executed live unless an admin overrides. Change at the source:");
            plan.owner().sourceChange().lines().forEach(l -> out.println("    " + l));
        } else {
            out.println("owner: none detected (no Helm, Argo CD, Flux, RKE2 helm-controller or addon-manager metadata)");
        }
        if (!plan.changes().isEmpty()) {
            out.println("diff:");
            out.print(plan.diff());
        }
        return refused ? REFUSED : OK;
    }

    private static String maxUnavailable(DaemonSet ds) {
        var s = ds.getSpec().getUpdateStrategy();
        if (s == null || s.getRollingUpdate() == null || s.getRollingUpdate().getMaxUnavailable() == null) {
            return "1, the default";
        }
        var m = s.getRollingUpdate().getMaxUnavailable();
        return m.getStrVal() != null ? m.getStrVal() : String.valueOf(m.getIntVal());
    }
}
