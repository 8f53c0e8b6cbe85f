package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.PlanCheck;
import io.fleetdoctor.playbook.fix.SpecJson;

import java.util.ArrayList;
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
public final class FlannelFixBuilder implements FixBuilder {
    /** Interface names as Linux allows them (IFNAMSIZ 16 incl. NUL). */
    public static final Pattern IFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    private final FlannelSettings settings;

    public FlannelFixBuilder(FlannelSettings settings) {
        this.settings = settings;
    }

    @Override
    public void validateOverride(String override) {
        parseOverride(override);
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

    @Override
    public BuiltPlan build(Input in) {
        Recommendation rec = in.recommendation();
        List<PlanCheck> checks = new ArrayList<>();

        // interface choice: override > regex > names
        List<String> iface = List.of();
        String regex = null;
        boolean overridden = in.override() != null && !in.override().isBlank();
        if (overridden) {
            iface = parseOverride(in.override());
        } else if (rec.ifaceRegex() != null && !rec.ifaceRegex().isBlank()) {
            regex = rec.ifaceRegex();
        } else {
            iface = rec.iface();
        }
        boolean known = regex != null || !iface.isEmpty();
        // flannel already uses the cluster interface: the fix only changes the image, flags stay as they are
        boolean keepBinding = rec.bindingOk() && !overridden;
        if (keepBinding) {
            checks.add(new PlanCheck("iface-unchanged", true, true,
                    "flannel already uses the cluster interface; its flags stay as they are"));
        } else {
            checks.add(new PlanCheck("iface-known", known, true, known
                    ? "interface selection: " + String.join(" ", FlannelFlags.flags(iface, regex))
                    : "the analyzer could not choose an interface; an approver must supply one"));
        }

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
        checks.add(new PlanCheck("nodes-with-inventory", withoutInventory.isEmpty() || overridden || keepBinding, true,
                withoutInventory.isEmpty() ? "every node has an interface inventory"
                        : (overridden ? "approver vouched for the interface on " : "no interface inventory for ")
                        + String.join(", ", withoutInventory)));

        // image: known-bad → known-good, same repository
        String current = rec.currentImage();
        String target = rec.targetImage();
        if (target == null && current != null && settings.knownBadVersions().contains(ImageRef.tag(current))) {
            target = ImageRef.repository(current) + ":" + settings.knownGoodVersion();
        }
        if (target != null && current != null) {
            boolean sameRepo = ImageRef.repository(target).equals(ImageRef.repository(current));
            checks.add(new PlanCheck("target-image-repository", sameRepo, false, sameRepo
                    ? current + " → " + target : "target " + target + " is not in the repository of " + current));
            if (settings.knownBadVersions().contains(ImageRef.tag(target))) {
                checks.add(new PlanCheck("target-not-known-bad", false, false, ImageRef.tag(target)
                        + " is on the known-bad list"));
            }
        }
        String effectiveTag = target != null ? ImageRef.tag(target) : (current == null ? null : ImageRef.tag(current));
        List<String> brokenNodes = new ArrayList<>();
        for (Map.Entry<String, String> n : new java.util.TreeMap<>(in.nodeKernels()).entrySet()) {
            if (n.getValue() != null && settings.brokenKernel(effectiveTag, List.of(n.getValue())) != null) {
                brokenNodes.add(n.getKey() + " (" + n.getValue() + ")");
            }
        }
        checks.add(new PlanCheck("kernel-compatible", brokenNodes.isEmpty(), false, brokenNodes.isEmpty()
                ? "no node runs a kernel known to break " + effectiveTag
                : effectiveTag + " is known to break flannel on " + String.join(", ", brokenNodes)));

        // desired specs
        List<DaemonSetChange> changes = new ArrayList<>();
        List<String> flags = FlannelFlags.flags(iface, regex);
        for (FixBuilder.LiveDaemonSet ds : in.daemonSets()) {
            if (ds.spec() == null) {
                checks.add(new PlanCheck("daemonset-found", false, false,
                        "DaemonSet " + ds.namespace() + "/" + ds.name() + " not found"));
                continue;
            }
            DaemonSetSpec after = SpecJson.copy(ds.spec());
            PodSpec pod = after.getTemplate().getSpec();
            Container flanneld = FlannelSpec.flanneldContainer(pod.getContainers(), rec.container());
            if (flanneld == null) {
                checks.add(new PlanCheck("flanneld-container-found", false, false,
                        "no flanneld container in " + ds.namespace() + "/" + ds.name()));
                continue;
            }
            FlannelSpec spec = FlannelSpec.of(flanneld);
            if (known && spec.binding() == FlannelSpec.Binding.UNKNOWN) {
                // a flag would silently beat what the owner configured there (flags win over FLANNELD_* env)
                checks.add(new PlanCheck("binding-source", false, false, "flanneld's interface in " + ds.namespace()
                        + "/" + ds.name() + " may come from " + String.join(", ", spec.unknownFrom())
                        + ": set the interface there, not with a flag"));
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
            changes.add(DaemonSetChange.of(ds, after));
        }

        return BuiltPlan.of(changes, checks, iface, regex, target);
    }

    private static boolean matchesAny(List<String> names, List<String> iface, Pattern re) {
        for (String n : names) {
            if (iface.contains(n) || (re != null && re.matcher(n).matches())) {
                return true;
            }
        }
        return false;
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
}
