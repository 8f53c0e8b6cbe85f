package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The update strategy as the API server stores it, whatever group the manifest uses. */
class FlannelManifestsTest {

    static List<DaemonSet> read(String yaml) {
        return FlannelManifests.daemonSets(FlannelManifests.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))));
    }

    static String ds(String apiVersion, String name, String strategy) {
        return "apiVersion: " + apiVersion + "\nkind: DaemonSet\nmetadata:\n  name: " + name
                + "\n  namespace: kube-system\n  labels: {app: flannel}\nspec:\n" + strategy
                + "  template:\n    metadata:\n      labels: {app: flannel}\n    spec:\n      containers:\n"
                + "      - name: kube-flannel\n        image: quay.io/coreos/flannel:v0.11.0-amd64\n"
                + "        command: [/opt/bin/flanneld]\n";
    }

    @Test
    void extensionsV1beta1DefaultsToOnDeleteAndAnExplicitStrategyStays() {
        List<DaemonSet> dss = read(String.join("---\n",
                ds("extensions/v1beta1", "a", ""),
                ds("extensions/v1beta1", "b", "  updateStrategy:\n    type: RollingUpdate\n"),
                ds("apps/v1", "c", ""),
                ds("apps/v1beta2", "d", ""),
                ds("apps/v1", "e", "  updateStrategy:\n    type: OnDelete\n")));
        assertEquals(List.of("a", "b", "c", "d", "e"), dss.stream().map(d -> d.getMetadata().getName()).toList());
        assertEquals(List.of("OnDelete", "RollingUpdate", "RollingUpdate", "RollingUpdate", "OnDelete"),
                dss.stream().map(FlannelManifests::updateStrategy).toList());
        assertEquals(List.of("extensions/v1beta1", "extensions/v1beta1", "apps/v1", "apps/v1beta2", "apps/v1"),
                dss.stream().map(DaemonSet::getApiVersion).toList());
        assertEquals("/opt/bin/flanneld", FlannelSpec.of(dss.get(0)).tokens().get(0), "the spec is read in full");
    }
}
