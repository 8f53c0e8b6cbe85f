package io.fleetdoctor.deploycheck;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Least-privilege RBAC as the design states it, on a built set of resources:
 * <ul>
 * <li>the cluster-mode collector: get/list/watch on pods and apps/daemonsets and get on pods/log, cluster-wide,
 * nothing else (what ClusterWatcher calls: informers on pods and DaemonSets, pod lists, logs);</li>
 * <li>the remediator: get/list/watch on pods, nodes, apps/daemonsets cluster-wide, plus patch/update on
 * apps/daemonsets and delete on pods (OnDelete rollouts) only through Roles (not ClusterRoles) bound in the flannel
 * namespaces kube-system, kube-flannel;</li>
 * <li>every other service account (analyzer, node agent): no permission at all;</li>
 * <li>no wildcard anywhere, subjects are only our ServiceAccounts, role references resolve inside the set
 * (binding a built-in role such as cluster-admin is refused).</li>
 * </ul>
 */
final class RbacCheck {

    static final Set<String> FLANNEL_NAMESPACES = Set.of("kube-system", "kube-flannel");
    static final Set<String> READ = Set.of("get", "list", "watch");

    /** One permission a service account effectively holds. scope = "cluster" or a namespace. */
    static final class Grant implements Comparable<Grant> {
        final String scope;
        final String via;
        final String group;
        final String resource;
        final String verb;

        Grant(String scope, String via, String group, String resource, String verb) {
            this.scope = scope;
            this.via = via;
            this.group = group;
            this.resource = resource;
            this.verb = verb;
        }

        String what() {
            return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
        }

        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return scope + " " + what() + " (" + via + ")";
        }
    }

    private final List<HasMetadata> resources;
    private final List<String> problems = new ArrayList<>();

    private RbacCheck(List<HasMetadata> resources) {
        this.resources = resources;
    }

    static List<String> check(List<HasMetadata> resources) {
        RbacCheck c = new RbacCheck(resources);
        c.run();
        return c.problems;
    }

    private <T> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private void run() {
        for (ClusterRole r : all(ClusterRole.class)) {
            if (r.getAggregationRule() != null) {
                problems.add("ClusterRole " + r.getMetadata().getName() + ": aggregation rules hide what is granted");
            }
            rules(r.getRules()).forEach(rule -> noWildcards("ClusterRole " + r.getMetadata().getName(), rule));
        }
        for (Role r : all(Role.class)) {
            rules(r.getRules()).forEach(rule -> noWildcards("Role " + ns(r) + "/" + r.getMetadata().getName(), rule));
        }

        String collector = serviceAccountOf("collector-service", "cluster");
        String remediator = serviceAccountOf("remediator-service", null);
        Map<String, Set<Grant>> grants = grants();

        for (Map.Entry<String, Set<Grant>> e : grants.entrySet()) {
            String sa = e.getKey();
            if (!sa.equals(collector) && !sa.equals(remediator)) {
                problems.add(sa + ": only the cluster-mode collector and the remediator may hold permissions, has "
                        + e.getValue());
            }
        }
        if (collector == null) {
            problems.add("no cluster-mode collector workload found");
        } else {
            Set<String> expected = Set.of("cluster pods:get", "cluster pods:list", "cluster pods:watch", "cluster pods/log:get",
                    "cluster apps/daemonsets:get", "cluster apps/daemonsets:list", "cluster apps/daemonsets:watch");
            Set<String> actual = grants.getOrDefault(collector, Set.of()).stream()
                    .map(g -> g.scope + " " + g.what()).collect(Collectors.toCollection(TreeSet::new));
            if (!actual.equals(new TreeSet<>(expected))) {
                problems.add(collector + " (collector): expected exactly " + new TreeSet<>(expected) + ", has " + actual);
            }
        }
        if (remediator == null) {
            problems.add("no remediator workload found");
        } else {
            checkRemediator(remediator, grants.getOrDefault(remediator, Set.of()));
        }
        // token mounting: a workload whose account holds nothing must not carry a token
        for (HasMetadata w : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(w);
            if (spec.isEmpty()) {
                continue;
            }
            String sa = ns(w) + "/" + Objects.requireNonNullElse(spec.get().getServiceAccountName(), "default");
            if (!grants.containsKey(sa) && !Boolean.FALSE.equals(effectiveAutomount(spec.get(), sa))) {
                problems.add(w.getKind() + " " + ns(w) + "/" + w.getMetadata().getName()
                        + ": has no Kubernetes API permission, so it must set automountServiceAccountToken: false");
            }
        }
    }

    private void checkRemediator(String sa, Set<Grant> granted) {
        Set<String> clusterExpected = new TreeSet<>();
        for (String res : List.of("pods", "nodes", "apps/daemonsets")) {
            for (String verb : READ) {
                clusterExpected.add(res + ":" + verb);
            }
        }
        Set<String> clusterActual = granted.stream().filter(g -> g.scope.equals("cluster")).map(Grant::what)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!clusterActual.equals(clusterExpected)) {
            problems.add(sa + " (remediator): cluster-wide expected exactly " + clusterExpected + ", has " + clusterActual);
        }
        Set<String> patchNamespaces = new TreeSet<>();
        for (Grant g : granted) {
            if (g.scope.equals("cluster")) {
                continue;
            }
            boolean inRole = FLANNEL_NAMESPACES.contains(g.scope) && g.via.startsWith("Role ");
            boolean allowed = inRole && ((g.group.equals("apps") && g.resource.equals("daemonsets")
                    && (g.verb.equals("patch") || g.verb.equals("update")))
                    // the OnDelete rollout deletes flannel's pods one node at a time
                    || (g.group.isEmpty() && g.resource.equals("pods") && g.verb.equals("delete")));
            if (!allowed) {
                problems.add(sa + " (remediator): namespaced grant " + g
                        + " is not patch/update of apps/daemonsets through a Role in " + FLANNEL_NAMESPACES
                        + " (nor delete of pods there, for OnDelete rollouts)");
            } else if (g.verb.equals("patch")) {
                patchNamespaces.add(g.scope);
            }
        }
        if (patchNamespaces.isEmpty()) {
            problems.add(sa + " (remediator): may patch daemonsets in none of the flannel namespaces " + FLANNEL_NAMESPACES);
        }
    }

    /** Effective grants per service account "namespace/name", from the bindings in the set. */
    private Map<String, Set<Grant>> grants() {
        Map<String, Set<Grant>> out = new java.util.TreeMap<>();
        for (ClusterRoleBinding b : all(ClusterRoleBinding.class)) {
            String where = "ClusterRoleBinding " + b.getMetadata().getName();
            List<PolicyRule> rules = resolve(where, b.getRoleRef(), null);
            for (String sa : subjects(where, b.getSubjects())) {
                addGrants(out, sa, "cluster", rules, b.getRoleRef());
            }
        }
        for (RoleBinding b : all(RoleBinding.class)) {
            String where = "RoleBinding " + ns(b) + "/" + b.getMetadata().getName();
            List<PolicyRule> rules = resolve(where, b.getRoleRef(), ns(b));
            for (String sa : subjects(where, b.getSubjects())) {
                addGrants(out, sa, ns(b), rules, b.getRoleRef());
            }
        }
        return out;
    }

    private void addGrants(Map<String, Set<Grant>> out, String sa, String scope, List<PolicyRule> rules, RoleRef ref) {
        Set<Grant> set = out.computeIfAbsent(sa, k -> new TreeSet<>());
        String via = (ref == null ? "?" : ref.getKind() + " " + ref.getName());
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        set.add(new Grant(scope, via, group, resource, verb));
                    }
                }
            }
        }
    }

    private List<PolicyRule> resolve(String where, RoleRef ref, String namespace) {
        if (ref == null) {
            problems.add(where + ": no roleRef");
            return List.of();
        }
        if ("ClusterRole".equals(ref.getKind())) {
            Optional<ClusterRole> role = all(ClusterRole.class).stream()
                    .filter(r -> r.getMetadata().getName().equals(ref.getName())).findFirst();
            if (role.isEmpty()) {
                problems.add(where + ": refers to ClusterRole " + ref.getName() + ", which is not part of fleetdoctor");
                return List.of();
            }
            return rules(role.get().getRules());
        }
        if ("Role".equals(ref.getKind()) && namespace != null) {
            Optional<Role> role = all(Role.class).stream()
                    .filter(r -> r.getMetadata().getName().equals(ref.getName()) && namespace.equals(ns(r))).findFirst();
            if (role.isEmpty()) {
                problems.add(where + ": refers to Role " + namespace + "/" + ref.getName() + ", which does not exist");
                return List.of();
            }
            return rules(role.get().getRules());
        }
        problems.add(where + ": unexpected roleRef " + ref.getKind());
        return List.of();
    }

    private List<String> subjects(String where, List<Subject> subjects) {
        List<String> out = new ArrayList<>();
        for (Subject s : subjects) {
            if (!"ServiceAccount".equals(s.getKind())) {
                problems.add(where + ": subject " + s.getKind() + " " + s.getName() + " (only our ServiceAccounts)");
                continue;
            }
            String id = s.getNamespace() + "/" + s.getName();
            boolean exists = all(ServiceAccount.class).stream()
                    .anyMatch(sa -> id.equals(ns(sa) + "/" + sa.getMetadata().getName()));
            if (!exists) {
                problems.add(where + ": subject ServiceAccount " + id + " is not deployed (namespace moved?)");
            }
            out.add(id);
        }
        return out;
    }

    private void noWildcards(String where, PolicyRule rule) {
        for (List<String> values : List.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups(),
                rule.getResourceNames(), rule.getNonResourceURLs())) {
            if (values.stream().anyMatch(v -> v.contains("*"))) {
                problems.add(where + ": wildcard in " + values);
            }
        }
        if (!rule.getNonResourceURLs().isEmpty()) {
            problems.add(where + ": nonResourceURLs " + rule.getNonResourceURLs());
        }
        if (rule.getVerbs().isEmpty() || rule.getResources().isEmpty()) {
            problems.add(where + ": rule without verbs or resources");
        }
    }

    /** The service account of the workload running the given image (and collector mode, if given). */
    private String serviceAccountOf(String image, String collectorMode) {
        for (HasMetadata w : resources) {
            Optional<PodSpec> spec = Kustomize.podSpec(w);
            if (spec.isEmpty()) {
                continue;
            }
            boolean match = spec.get().getContainers().stream().anyMatch(c -> Kustomize.imageName(c.getImage()).endsWith(image)
                    && (collectorMode == null || collectorMode.equals(HardeningCheck.env(c, resources, ns(w))
                            .get("FLEETDOCTOR_COLLECTOR_MODE"))));
            if (match) {
                return ns(w) + "/" + Objects.requireNonNullElse(spec.get().getServiceAccountName(), "default");
            }
        }
        return null;
    }

    private Boolean effectiveAutomount(PodSpec spec, String sa) {
        if (spec.getAutomountServiceAccountToken() != null) {
            return spec.getAutomountServiceAccountToken();
        }
        return all(ServiceAccount.class).stream().filter(a -> sa.equals(ns(a) + "/" + a.getMetadata().getName()))
                .map(ServiceAccount::getAutomountServiceAccountToken).filter(Objects::nonNull).findFirst().orElse(true);
    }

    private static List<PolicyRule> rules(List<PolicyRule> rules) {
        return rules == null ? List.of() : rules;
    }

    static String ns(HasMetadata r) {
        return Objects.requireNonNullElse(r.getMetadata().getNamespace(), "default");
    }
}
