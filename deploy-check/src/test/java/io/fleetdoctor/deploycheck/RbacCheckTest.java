package io.fleetdoctor.deploycheck;

import static io.fleetdoctor.deploycheck.Overlays.assertReported;
import static io.fleetdoctor.deploycheck.Overlays.find;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RBAC check must catch each way least privilege can erode. Each test breaks one thing in a built overlay. */
class RbacCheckTest {

    private final List<HasMetadata> dev = Overlays.build("dev");

    @Test
    void collectorMayNotWrite() {
        find(dev, ClusterRole.class, null, "fleetdoctor-collector").getRules().get(0).getVerbs().add("delete");
        assertReported(RbacCheck.check(dev), "(collector): expected exactly");
    }

    @Test
    void collectorMayNotReadSecrets() {
        find(dev, ClusterRole.class, null, "fleetdoctor-collector").getRules()
                .add(new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("get").build());
        assertReported(RbacCheck.check(dev), "cluster secrets:get");
    }

    @Test
    void noWildcards() {
        find(dev, ClusterRole.class, null, "fleetdoctor-remediator-read").getRules().get(0).getVerbs().add("*");
        assertReported(RbacCheck.check(dev), "wildcard in [get, list, watch, *]");
    }

    @Test
    void remediatorMayNotPatchClusterWide() {
        find(dev, ClusterRole.class, null, "fleetdoctor-remediator-read").getRules().get(1).getVerbs().add("patch");
        assertReported(RbacCheck.check(dev), "cluster-wide expected exactly");
    }

    @Test
    void remediatorMayPatchOnlyInFlannelNamespaces() {
        find(dev, Role.class, "kube-system", "fleetdoctor-remediator-flannel").getMetadata().setNamespace("default");
        find(dev, RoleBinding.class, "kube-system", "fleetdoctor-remediator-flannel").getMetadata().setNamespace("default");
        List<String> problems = RbacCheck.check(dev);
        assertReported(problems, "namespaced grant default apps/daemonsets:patch");
        assertReported(problems, "may patch daemonsets in none of the flannel namespaces");
    }

    @Test
    void remediatorMayPatchOnlyDaemonSets() {
        find(dev, Role.class, "kube-system", "fleetdoctor-remediator-flannel").getRules().get(0).getResources().add("deployments");
        assertReported(RbacCheck.check(dev), "kube-system apps/deployments:patch");
    }

    @Test
    void patchMustComeFromARoleNotAClusterRole() {
        RoleBinding b = find(dev, RoleBinding.class, "kube-system", "fleetdoctor-remediator-flannel");
        Role role = find(dev, Role.class, "kube-system", "fleetdoctor-remediator-flannel");
        ClusterRole asClusterRole = new ClusterRole();
        asClusterRole.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("flannel-patch").build());
        asClusterRole.setRules(role.getRules());
        dev.remove(role);
        dev.add(asClusterRole);
        b.getRoleRef().setKind("ClusterRole");
        b.getRoleRef().setName("flannel-patch");
        assertReported(RbacCheck.check(dev), "is not patch/update of apps/daemonsets through a Role");
    }

    @Test
    void analyzerGetsNoPermissions() {
        ClusterRoleBinding b = find(dev, ClusterRoleBinding.class, null, "fleetdoctor-collector");
        dev.add(new ClusterRoleBindingBuilder(b).editMetadata().withName("analyzer-too").endMetadata()
                .editFirstSubject().withName("analyzer").endSubject().build());
        assertReported(RbacCheck.check(dev), "fleetdoctor/analyzer: only the cluster-mode collector and the remediator");
    }

    @Test
    void builtInRolesAreNotBound() {
        find(dev, ClusterRoleBinding.class, null, "fleetdoctor-collector").getRoleRef().setName("cluster-admin");
        assertReported(RbacCheck.check(dev), "refers to ClusterRole cluster-admin, which is not part of fleetdoctor");
    }

    @Test
    void subjectMustBeTheDeployedServiceAccount() {
        // what `namespace: other` in an overlay does: the account moves, the explicit subject does not
        dev.stream().filter(r -> "fleetdoctor".equals(r.getMetadata().getNamespace()))
                .forEach(r -> r.getMetadata().setNamespace("other"));
        assertReported(RbacCheck.check(dev), "subject ServiceAccount fleetdoctor/remediator is not deployed");
    }

    @Test
    void analyzerMustNotMountAToken() {
        Deployment analyzer = find(dev, Deployment.class, "fleetdoctor", "analyzer");
        analyzer.getSpec().getTemplate().getSpec().setAutomountServiceAccountToken(null);
        find(dev, io.fabric8.kubernetes.api.model.ServiceAccount.class, "fleetdoctor", "analyzer")
                .setAutomountServiceAccountToken(null);
        assertReported(RbacCheck.check(dev), "Deployment fleetdoctor/analyzer: has no Kubernetes API permission");
    }
}
