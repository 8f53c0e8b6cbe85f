package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads manifests as users have them (one or many YAML/JSON documents, or a List) and finds flannel in them. */
public final class FlannelManifests {
    private static final KubernetesSerialization K8S = new KubernetesSerialization();

    private FlannelManifests() {
    }

    /** Every object of the stream, in order. */
    public static List<HasMetadata> read(InputStream in) {
        Object o = K8S.unmarshal(in);
        List<HasMetadata> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                add(out, x);
            }
        } else {
            add(out, o);
        }
        return out;
    }

    private static void add(List<HasMetadata> out, Object o) {
        if (o instanceof KubernetesList kl) {
            out.addAll(kl.getItems());
        } else if (o instanceof HasMetadata h) {
            out.add(h);
        }
    }

    /** The flannel DaemonSets among the objects (labels or a container running flanneld). */
    public static List<DaemonSet> daemonSets(List<HasMetadata> objects) {
        List<DaemonSet> out = new ArrayList<>();
        for (HasMetadata h : objects) {
            if (h instanceof DaemonSet ds && FlannelSpec.isFlannel(ds)) {
                out.add(ds);
            }
        }
        return out;
    }

    /** The first flannel DaemonSet of the stream; IllegalArgumentException when there is none. */
    public static DaemonSet daemonSet(InputStream in) {
        List<DaemonSet> all = daemonSets(read(in));
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no flannel DaemonSet in the manifest");
        }
        return all.get(0);
    }
}
