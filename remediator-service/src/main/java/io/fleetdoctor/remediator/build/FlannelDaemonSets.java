package io.fleetdoctor.remediator.build;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.playbooks.flannel.FlannelSpec;

import java.util.List;

/** Which DaemonSets are flannel's: those whose pod template runs flanneld, whatever their name or namespace. */
public final class FlannelDaemonSets {
    private FlannelDaemonSets() {
    }

    /** The container of the pod template that runs flanneld, or null when none does. */
    public static Container flanneld(DaemonSet ds) {
        if (ds.getSpec() == null || ds.getSpec().getTemplate() == null || ds.getSpec().getTemplate().getSpec() == null) {
            return null;
        }
        Container c = FlannelSpec.flanneldContainer(ds.getSpec().getTemplate().getSpec().getContainers(), null);
        return c != null && runsFlanneld(c) ? c : null;
    }

    public static boolean isFlannel(DaemonSet ds) {
        return flanneld(ds) != null;
    }

    /** Command, args or image name flanneld (a {@code sh -c} script that runs it counts). */
    static boolean runsFlanneld(Container c) {
        if (c.getImage() != null && c.getImage().contains("flanneld")) {
            return true;
        }
        for (List<String> l : List.of(nn(c.getCommand()), nn(c.getArgs()))) {
            for (String s : l) {
                if (s != null && s.contains("flanneld")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> nn(List<String> l) {
        return l == null ? List.of() : l;
    }

    public static String ref(DaemonSet ds) {
        return ds.getMetadata().getNamespace() + "/" + ds.getMetadata().getName();
    }
}
