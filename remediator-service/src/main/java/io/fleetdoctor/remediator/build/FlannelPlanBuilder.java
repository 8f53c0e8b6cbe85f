package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds the desired DaemonSet specs for a {@code flannel-iface-fix} and the pre-checks. Pure: the
 * caller reads the cluster and the inventories; the same input always gives the same plan.
 */
public final class FlannelPlanBuilder {
    /** Interface names as Linux allows them (IFNAMSIZ 16 incl. NUL). */
    public static final Pattern IFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    private final List<String> knownBad;
    private final String knownGood;
    private final List<String> kernelBreaks;

    public FlannelPlanBuilder(List<String> knownBad, String knownGood, List<String> kernelBreaks) {
        this.knownBad = List.copyOf(knownBad);
        this.knownGood = knownGood;
        this.kernelBreaks = List.copyOf(kernelBreaks);
    }

    /** A DaemonSet as read (spec null when it does not exist). */
    public record LiveDaemonSet(String namespace, String name, String resourceVersion, DaemonSetSpec spec) {
    }

    /**
     * @param nodeKernels   every node of the cluster → kernel version (null when unknown)
     * @param inventories   nodes with a known interface inventory → interface names
     * @param ifaceOverride comma-separated interface names from an approver, or null
     */
    public record Input(Recommendation recommendation, List<LiveDaemonSet> daemonSets, Map<String, String> nodeKernels,
                        Map<String, List<String>> inventories, String ifaceOverride) {
    }

    /** Parses an approver's override; throws IllegalArgumentException on a bad name. */
    public static List<String> parseOverride(String override) {
        List<String> names = new ArrayList<>();
        for (String s : override.split(",")) {
            String n = s.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!IFACE_NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("not an interface name: \"" + n + "\"");
            }
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("iface override is empty");
        }
        return names;
    }

    public BuiltPlan build(Input in) {
        Recommendation rec = in.recommendation();
        List<PlanCheck> checks = new ArrayList<>();

        // interface choice: override > regex > names
        List<String> iface = List.of();
        String regex = null;
        boolean overridden = in.ifaceOverride() != null && !in.ifaceOverride().isBlank();
        if (overridden) {
            iface = parseOverride(in.ifaceOverride());
        } else if (rec.ifaceRegex() != null && !rec.ifaceRegex().isBlank()) {
            regex = rec.ifaceRegex();
        } else {
            iface = rec.iface();
        }
        boolean known = regex != null || !iface.isEmpty();
        checks.add(new PlanCheck("iface-known", known, true, known
                ? "interface selection: " + String.join(" ", FlannelFlags.flags(iface, regex))
                : "the analyzer could not choose an interface; an approver must supply one"));

        if (known) {
            Pattern re = null;
            if (regex != null) {
                try {
                    re = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    re = null;
                }
            }
            Set<String> missing = new TreeSet<>();
            for (Map.Entry<String, List<String>> node : in.inventories().entrySet()) {
                if (!matchesAny(node.getValue(), iface, re)) {
                    missing.add(node.getKey());
                }
            }
            checks.add(new PlanCheck("iface-on-every-node", missing.isEmpty(), true, missing.isEmpty()
                    ? "present on all " + in.inventories().size() + " node(s) with an inventory"
                    : "no matching interface on " + String.join(", ", missing)
                    + " (flanneld would exit there and the node's pod network would go down)"));
        }

        Set<String> withoutInventory = new TreeSet<>(rec.nodesWithoutInventory());
        for (String node : in.nodeKernels().keySet()) {
            if (!in.inventories().containsKey(node)) {
                withoutInventory.add(node);
            }
        }
        checks.add(new PlanCheck("nodes-with-inventory", withoutInventory.isEmpty() || overridden, true,
                withoutInventory.isEmpty() ? "every node has an interface inventory"
                        : (overridden ? "approver vouched for the interface on " : "no interface inventory for ")
                        + String.join(", ", withoutInventory)));

        // image: known-bad → known-good, same repository
        String current = rec.currentImage();
        String target = rec.targetImage();
        if (target == null && current != null && knownBad.contains(tag(current))) {
            target = repository(current) + ":" + knownGood;
        }
        if (target != null && current != null) {
            boolean sameRepo = repository(target).equals(repository(current));
            checks.add(new PlanCheck("target-image-repository", sameRepo, false, sameRepo
                    ? current + " → " + target : "target " + target + " is not in the repository of " + current));
            if (knownBad.contains(tag(target))) {
                checks.add(new PlanCheck("target-not-known-bad", false, false, tag(target) + " is on the known-bad list"));
            }
        }
        String effectiveTag = target != null ? tag(target) : (current == null ? null : tag(current));
        List<String> brokenNodes = new ArrayList<>();
        for (String rule : kernelBreaks) {
            int at = rule.indexOf('@');
            if (at < 0) {
                continue;
            }
            String badTag = rule.substring(0, at);
            String kernelPrefix = rule.substring(at + 1);
            if (badTag.equals(effectiveTag)) {
                for (Map.Entry<String, String> n : in.nodeKernels().entrySet()) {
                    if (n.getValue() != null && n.getValue().startsWith(kernelPrefix)) {
                        brokenNodes.add(n.getKey() + " (" + n.getValue() + ")");
                    }
                }
            }
        }
        checks.add(new PlanCheck("kernel-compatible", brokenNodes.isEmpty(), false, brokenNodes.isEmpty()
                ? "no node runs a kernel known to break " + effectiveTag
                : effectiveTag + " is known to break flannel on " + String.join(", ", brokenNodes)));

        // desired specs
        List<DaemonSetChange> changes = new ArrayList<>();
        StringBuilder diff = new StringBuilder();
        List<String> flags = FlannelFlags.flags(iface, regex);
        for (LiveDaemonSet ds : in.daemonSets()) {
            if (ds.spec() == null) {
                checks.add(new PlanCheck("daemonset-found", false, false,
                        "DaemonSet " + ds.namespace() + "/" + ds.name() + " not found"));
                continue;
            }
            DaemonSetSpec after = SpecJson.copy(ds.spec());
            PodSpec pod = after.getTemplate().getSpec();
            Container flanneld = flanneldContainer(pod.getContainers(), rec.container());
            if (flanneld == null) {
                checks.add(new PlanCheck("flanneld-container-found", false, false,
                        "no flanneld container in " + ds.namespace() + "/" + ds.name()));
                continue;
            }
            if (known) {
                FlannelFlags.apply(flanneld, flags);
            }
            if (target != null) {
                for (Container c : all(pod)) {
                    if (c.getImage() != null && current != null && c.getImage().equals(current)) {
                        c.setImage(target);
                    }
                }
            }
            String beforeJson = SpecJson.toJson(ds.spec());
            String afterJson = SpecJson.toJson(after);
            String ref = ds.namespace() + "/daemonset/" + ds.name();
            String d = UnifiedDiff.diff("a/" + ref + " (resourceVersion " + ds.resourceVersion() + ")",
                    "b/" + ref, SpecJson.toYaml(SpecJson.copy(ds.spec())), SpecJson.toYaml(SpecJson.copy(after)));
            diff.append(d);
            changes.add(new DaemonSetChange(ds.namespace(), ds.name(), ds.resourceVersion(),
                    SpecJson.sha256(beforeJson), SpecJson.sha256(afterJson), beforeJson, afterJson, d));
        }

        boolean needsOverride = false;
        List<String> blocked = new ArrayList<>();
        for (PlanCheck c : checks) {
            if (!c.passed()) {
                if (c.overridable()) {
                    needsOverride = true;
                } else {
                    blocked.add(c.name() + ": " + c.detail());
                }
            }
        }
        return new BuiltPlan(changes, checks, diff.toString(), iface, regex, target, needsOverride,
                blocked.isEmpty() ? null : String.join("; ", blocked));
    }

    private static boolean matchesAny(List<String> names, List<String> iface, Pattern re) {
        for (String n : names) {
            if (iface.contains(n) || (re != null && re.matcher(n).matches())) {
                return true;
            }
        }
        return false;
    }

    static Container flanneldContainer(List<Container> containers, String preferred) {
        if (containers == null) {
            return null;
        }
        for (Container c : containers) {
            if (c.getName().equals(preferred)) {
                return c;
            }
        }
        for (Container c : containers) {
            List<String> all = new ArrayList<>();
            if (c.getCommand() != null) {
                all.addAll(c.getCommand());
            }
            if (c.getArgs() != null) {
                all.addAll(c.getArgs());
            }
            for (String t : all) {
                if (t.endsWith("flanneld")) {
                    return c;
                }
            }
        }
        return null;
    }

    private static List<Container> all(PodSpec pod) {
        List<Container> out = new ArrayList<>();
        if (pod.getInitContainers() != null) {
            out.addAll(pod.getInitContainers());
        }
        if (pod.getContainers() != null) {
            out.addAll(pod.getContainers());
        }
        return out;
    }

    /** {@code quay.io/coreos/flannel:v0.13.0} → {@code quay.io/coreos/flannel}. */
    public static String repository(String image) {
        String noDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = noDigest.lastIndexOf('/');
        int colon = noDigest.lastIndexOf(':');
        return colon > slash ? noDigest.substring(0, colon) : noDigest;
    }

    /** The tag, or null for an untagged or digest-only reference. */
    public static String tag(String image) {
        String noDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = noDigest.lastIndexOf('/');
        int colon = noDigest.lastIndexOf(':');
        return colon > slash ? noDigest.substring(colon + 1) : null;
    }

    static List<String> list(String... s) {
        return Arrays.asList(s);
    }
}
