package io.fleetdoctor.collector.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.FlannelConfig;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Recognises flannel DaemonSets and turns one into {@code flannel-config} data. Pure. */
public final class FlannelDaemonSets {
    private FlannelDaemonSets() {
    }

    /** Labels {@code app=flannel} / {@code k8s-app=flannel}, or a container that runs flanneld. */
    public static boolean isFlannel(DaemonSet ds) {
        Map<String, String> labels = ds.getMetadata().getLabels();
        if (labels != null && ("flannel".equals(labels.get("app")) || "flannel".equals(labels.get("k8s-app")))) {
            return true;
        }
        return runsFlanneld(containers(ds));
    }

    private static boolean runsFlanneld(List<Container> containers) {
        for (Container c : containers) {
            if (mentionsFlanneld(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsFlanneld(Container c) {
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

    /**
     * The container that runs flanneld: one whose command, args or image mention flanneld, else one
     * whose image is a flannel image, else the first. Null when the DaemonSet has no containers.
     */
    public static Container flanneldContainer(DaemonSet ds) {
        List<Container> cs = containers(ds);
        for (Container c : cs) {
            if (mentionsFlanneld(c)) {
                return c;
            }
        }
        for (Container c : cs) {
            if (c.getImage() != null && c.getImage().contains("flannel")) {
                return c;
            }
        }
        return cs.isEmpty() ? null : cs.get(0);
    }

    /** The data of a {@code flannel-config} signal, or null when there is no container. */
    public static FlannelConfig toConfig(DaemonSet ds) {
        Container c = flanneldContainer(ds);
        if (c == null) {
            return null;
        }
        Map<String, String> env = new TreeMap<>();
        for (EnvVar e : nn(c.getEnv())) {
            if (e.getName() != null && e.getValue() != null && e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue());
            }
        }
        int desired = 0;
        int ready = 0;
        if (ds.getStatus() != null) {
            desired = ds.getStatus().getDesiredNumberScheduled() == null ? 0 : ds.getStatus().getDesiredNumberScheduled();
            ready = ds.getStatus().getNumberReady() == null ? 0 : ds.getStatus().getNumberReady();
        }
        String image = c.getImage() == null ? "" : c.getImage();
        String rv = ds.getMetadata().getResourceVersion() == null ? "" : ds.getMetadata().getResourceVersion();
        return new FlannelConfig(ds.getMetadata().getNamespace(), ds.getMetadata().getName(), c.getName(), image,
                version(image), nn(c.getCommand()), nn(c.getArgs()), env, rv, desired, ready);
    }

    /** The tag of an image reference ({@code repo/name:tag[@digest]}), or null when it has none. */
    public static String version(String image) {
        if (image == null) {
            return null;
        }
        String ref = image;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        if (colon < 0 || colon < ref.lastIndexOf('/')) {
            return null; // no tag (a ':' before the last '/' is a registry port)
        }
        String tag = ref.substring(colon + 1);
        return tag.isEmpty() ? null : tag;
    }

    private static List<Container> containers(DaemonSet ds) {
        if (ds.getSpec() == null || ds.getSpec().getTemplate() == null || ds.getSpec().getTemplate().getSpec() == null) {
            return List.of();
        }
        return nn(ds.getSpec().getTemplate().getSpec().getContainers());
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }
}
