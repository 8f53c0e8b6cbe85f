package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.Ownership;
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
        // the image the containers move to: none when the target is refused (the diff never shows a refused image)
        String swapTo = target;
        if (target != null && current != null) {
            boolean sameRepo = ImageRef.repository(target).equals(ImageRef.repository(current));
            if (!sameRepo || settings.knownBadVersions().contains(ImageRef.tag(target))) {
                swapTo = null;
            }
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

        // k3s runs flannel inside k3s: no DaemonSet to change, the advice is k3s's own flag
        String k3s = k3sEvidence(in);
        if (k3s != null && in.daemonSets().stream().allMatch(d -> d.spec() == null)) {
            checks.add(new PlanCheck("flannel-in-k3s", true, false, "k3s runs flannel inside k3s (" + k3s
                    + "): there is no flannel DaemonSet to change; set --flannel-iface on every k3s node"));
            return BuiltPlan.of(List.of(), checks, iface, regex, target, FlannelOwnership.k3s(k3s, iface, regex));
        }

        // desired specs
        boolean setFlags = known && !keepBinding;
        List<DaemonSetChange> changes = new ArrayList<>();
        List<Ownership> owners = new ArrayList<>();
        List<String> flags = FlannelFlags.flags(iface, regex);
        for (FixBuilder.LiveDaemonSet ds : in.daemonSets()) {
            String ref = ds.namespace() + "/" + ds.name();
            if (ds.spec() == null) {
                checks.add(new PlanCheck("daemonset-found", false, false, "DaemonSet " + ref + " not found"));
                continue;
            }
            DaemonSetSpec after = SpecJson.copy(ds.spec());
            PodSpec pod = after.getTemplate().getSpec();
            Container flanneld = FlannelSpec.flanneldContainer(pod.getContainers(), rec.container());
            if (flanneld == null) {
                checks.add(new PlanCheck("flanneld-container-found", false, false, "no flanneld container in " + ref));
                continue;
            }
            FlannelSpec spec = FlannelSpec.of(flanneld);
            FlannelOwnership.Change change = new FlannelOwnership.Change(setFlags ? iface : List.of(),
                    setFlags ? regex : null, swapTo, flanneld.getName());
            if (setFlags && spec.binding() == FlannelSpec.Binding.UNKNOWN) {
                // a flag would silently beat what the owner configured there (flags win over FLANNELD_* env)
                checks.add(new PlanCheck("binding-source", false, false, "flanneld's interface in " + ref
                        + " may come from " + String.join(", ", spec.unknownFrom())
                        + ": set the interface there, not with a flag"));
                addOwner(owners, FlannelOwnership.of(ds, null, change));
                continue;
            }
            if (setFlags && regex != null && !spec.iface().isEmpty()) {
                // flanneld tries every --iface before any --iface-regex, and the plan deletes nothing it did not add
                checks.add(new PlanCheck("iface-order", false, false, "flanneld in " + ref + " tries "
                        + String.join(", ", spec.iface().stream().map(i -> "--iface=" + i).toList())
                        + " before any --iface-regex, so --iface-regex=" + regex + " would not be used; the plan does"
                        + " not delete them: remove them yourself or give interface names"));
                addOwner(owners, FlannelOwnership.of(ds, null, change));
                continue;
            }
            if (setFlags) {
                String env = regex != null ? "FLANNELD_IFACE_REGEX" : "FLANNELD_IFACE";
                String value = FlannelSpec.literalEnv(flanneld).get(env);
                FlannelFlags.apply(flanneld, flags);
                if (value != null && !value.isBlank()) {
                    checks.add(new PlanCheck("flanneld-env-kept", true, false, env + "=" + value + " stays in " + ref
                            + "; flanneld reads it only when " + (regex != null ? "--iface-regex" : "--iface")
                            + " is not on its command line, so the new flag takes its place"));
                }
            }
            if (swapTo != null) {
                for (Container c : all(pod)) {
                    if (c.getImage() == null || current == null || !c.getImage().equals(current)) {
                        continue;
                    }
                    String why = FlannelImages.unsupported(c, swapTo);
                    if (why == null) {
                        c.setImage(swapTo);
                    } else {
                        checks.add(new PlanCheck("image-supports-command", true, false, c.getName() + " in " + ref
                                + " " + why + ": its image stays " + current));
                    }
                }
            }
            changes.add(DaemonSetChange.of(ds, after));
            addOwner(owners, FlannelOwnership.of(ds, after, change));
        }

        return BuiltPlan.of(changes, checks, iface, regex, target, merge(owners));
    }

    /** The kubelet version that shows k3s ({@code node=v1.30.4+k3s1}), or null. */
    static String k3sEvidence(Input in) {
        for (Map.Entry<String, String> n : new java.util.TreeMap<>(in.kubeletVersions()).entrySet()) {
            if (n.getValue() != null && n.getValue().contains("+k3s")) {
                return "kubelet " + n.getValue() + " on " + n.getKey();
            }
        }
        return null;
    }

    private static void addOwner(List<Ownership> owners, Ownership o) {
        if (o != null) {
            owners.add(o);
        }
    }

    /** One owner for the plan: the first manager; every distinct evidence and source change. */
    static Ownership merge(List<Ownership> owners) {
        if (owners.isEmpty()) {
            return null;
        }
        List<String> evidence = owners.stream().map(Ownership::evidence).distinct().toList();
        List<String> sources = owners.stream().map(Ownership::sourceChange).distinct().toList();
        return new Ownership(owners.get(0).manager(), String.join("; ", evidence), String.join("---\n", sources));
    }

    private static boolean matchesAny(List<String> names, List<String> iface, Pattern re) {
        for (String n : names) {
            if (iface.contains(n) || (re != null && re.matcher(n).matches())) {
                return true;
            }
        }
        return false;
    }

    /** Init containers, then containers. */
    static List<Container> all(PodSpec pod) {
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
