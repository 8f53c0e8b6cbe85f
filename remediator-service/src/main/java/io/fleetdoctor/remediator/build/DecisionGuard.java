package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.playbook.PlaybookConfig;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.PlanCheck;
import io.fleetdoctor.playbooks.flannel.FlannelFixBuilder;
import io.fleetdoctor.playbooks.flannel.FlannelPlaybook;
import io.fleetdoctor.playbooks.flannel.FlannelSettings;
import io.fleetdoctor.playbooks.flannel.ImageRef;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A decision is input, not an order: what it names is checked against the cluster as the remediator reads it.
 * Only flannel DaemonSets (pod template runs flanneld) may be targeted, only their flanneld container, only
 * towards their current image or the configured known-good version of that repository, and interface names
 * and regexes must be what an override would accept. Each failure is a non-overridable check
 * {@value #CHECK}: the plan is refused before anything is built.
 */
public final class DecisionGuard {
    /** The check a refused decision fails. */
    public static final String CHECK = "decision-accepted";
    /** The check an unregistered cluster fails. */
    public static final String CLUSTER_CHECK = "cluster-registered";
    private static final Pattern UNSAFE_REGEX = Pattern.compile("[\\s'\"`;&<>]|\\$\\(|\\$\\{");

    private final Function<String, FlannelSettings> settings;

    /** @param lookup the host's configuration (the flannel playbook's block gives the known-good version) */
    public DecisionGuard(Function<String, Optional<String>> lookup) {
        FlannelPlaybook flannel = new FlannelPlaybook();
        PlaybookConfig config = new PlaybookConfig(FlannelPlaybook.ID, lookup);
        this.settings = cluster -> flannel.settings(config, cluster);
    }

    /**
     * Why the decision must not be followed on this cluster (empty when it may).
     *
     * @param all every DaemonSet of the cluster, all namespaces
     */
    public List<String> refusals(String cluster, Recommendation rec, List<DaemonSet> all) {
        List<String> out = new ArrayList<>();
        List<DaemonSet> flannel = all.stream().filter(FlannelDaemonSets::isFlannel).toList();
        String known = flannel.isEmpty() ? "none" : String.join(", ", flannel.stream().map(FlannelDaemonSets::ref).toList());
        if (rec.namespace() == null || rec.namespace().isBlank() || rec.daemonSets().isEmpty()) {
            out.add("the decision names no DaemonSet (flannel DaemonSets on " + cluster + ": " + known + ")");
            return out;
        }
        List<DaemonSet> targets = new ArrayList<>();
        for (String name : rec.daemonSets()) {
            String ref = rec.namespace() + "/" + name;
            DaemonSet ds = all.stream().filter(d -> ref.equals(FlannelDaemonSets.ref(d))).findFirst().orElse(null);
            if (ds == null) {
                continue; // missing: the fix's daemonset-found check blocks the plan
            }
            if (!FlannelDaemonSets.isFlannel(ds)) {
                out.add(ref + " is not a flannel DaemonSet (its pod template runs no flanneld); flannel DaemonSets on "
                        + cluster + ": " + known);
            } else {
                targets.add(ds);
            }
        }
        Set<String> liveImages = new LinkedHashSet<>();
        Set<String> allowedTargets = new LinkedHashSet<>();
        String good = settings.apply(cluster).knownGoodVersion();
        for (DaemonSet ds : targets) {
            Container c = FlannelDaemonSets.flanneld(ds);
            if (rec.container() != null && !rec.container().equals(c.getName())) {
                out.add("container " + rec.container() + " of " + FlannelDaemonSets.ref(ds) + " does not run flanneld ("
                        + c.getName() + " does)");
            }
            if (c.getImage() != null) {
                liveImages.add(c.getImage());
                allowedTargets.add(c.getImage());
                allowedTargets.add(ImageRef.repository(c.getImage()) + ":" + good);
            }
        }
        if (!targets.isEmpty() && rec.currentImage() != null && !liveImages.contains(rec.currentImage())) {
            out.add("current image " + rec.currentImage() + " is not what flanneld runs (" + String.join(", ", liveImages)
                    + ")");
        }
        if (!targets.isEmpty() && rec.targetImage() != null && !allowedTargets.contains(rec.targetImage())) {
            out.add("target image " + rec.targetImage() + " is neither the current image nor the configured known-good "
                    + good + " (allowed: " + String.join(", ", allowedTargets) + ")");
        }
        if (!rec.iface().isEmpty()) {
            try {
                FlannelFixBuilder.parseOverride(String.join(",", rec.iface()));
            } catch (IllegalArgumentException e) {
                out.add("iface: " + e.getMessage());
            }
        }
        if (rec.ifaceRegex() != null && !rec.ifaceRegex().isBlank()) {
            String why = regexProblem(rec.ifaceRegex());
            if (why != null) {
                out.add("iface-regex " + quote(rec.ifaceRegex()) + ": " + why);
            }
        }
        return out;
    }

    /** Null when the regex is one flanneld can take as a single, shell-safe word. */
    static String regexProblem(String re) {
        if (re.length() > 200) {
            return "longer than 200 characters";
        }
        if (UNSAFE_REGEX.matcher(re).find()) {
            return "contains whitespace, a quote or shell syntax";
        }
        try {
            Pattern.compile(re);
            return null;
        } catch (PatternSyntaxException e) {
            return "not a regular expression (" + e.getDescription() + ")";
        }
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 60 ? s.substring(0, 60) + "…" : s) + "\"";
    }

    /** The plan of a refused decision: no change, one failing non-overridable check per reason. */
    public static BuiltPlan refused(String check, List<String> reasons) {
        List<PlanCheck> checks = reasons.stream().map(r -> new PlanCheck(check, false, false, r)).toList();
        return BuiltPlan.of(List.of(), checks, List.of(), null, null);
    }

    /** The refusal reasons of a plan ({@value #CHECK} or {@value #CLUSTER_CHECK} failed), or null when not refused. */
    public static String refusal(List<PlanCheck> checks) {
        List<String> r = checks.stream().filter(c -> !c.passed() && (CHECK.equals(c.name()) || CLUSTER_CHECK.equals(c.name())))
                .map(PlanCheck::detail).toList();
        return r.isEmpty() ? null : String.join("; ", r);
    }
}
