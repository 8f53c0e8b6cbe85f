package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fleetdoctor.playbook.fix.DaemonSetChange;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads manifests as users have them (one or many YAML/JSON documents, or a List) and finds flannel in them.
 * DaemonSets of older API groups ({@code extensions/v1beta1}, {@code apps/v1beta2}) are read as {@code apps/v1}
 * DaemonSets keeping their {@code apiVersion}, with the update strategy the API server defaults for that group.
 */
public final class FlannelManifests {
    private static final KubernetesSerialization K8S = new KubernetesSerialization();
    /** The group whose DaemonSets default to {@code OnDelete} (apps/v1beta2 and apps/v1 default to RollingUpdate). */
    public static final String EXTENSIONS_V1BETA1 = "extensions/v1beta1";

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
            kl.getItems().forEach(i -> add(out, i));
        } else if (o instanceof HasMetadata h) {
            out.add("DaemonSet".equals(h.getKind()) && !(h instanceof DaemonSet) ? asAppsV1(h) : h);
        }
    }

    /** A DaemonSet of another group as the apps/v1 model, keeping its apiVersion, with its defaulted strategy. */
    static DaemonSet asAppsV1(HasMetadata h) {
        String apiVersion = h.getApiVersion();
        DaemonSet ds = K8S.unmarshal(K8S.asJson(h), DaemonSet.class);
        ds.setApiVersion(apiVersion);
        if (ds.getSpec() != null && EXTENSIONS_V1BETA1.equals(apiVersion)
                && (ds.getSpec().getUpdateStrategy() == null || ds.getSpec().getUpdateStrategy().getType() == null)) {
            // extensions/v1beta1's default (pkg/apis/extensions/v1beta1/defaults.go): pods change only when deleted
            DaemonSetUpdateStrategy s = ds.getSpec().getUpdateStrategy() == null ? new DaemonSetUpdateStrategy()
                    : ds.getSpec().getUpdateStrategy();
            s.setType(DaemonSetChange.ON_DELETE);
            ds.getSpec().setUpdateStrategy(s);
        }
        return ds;
    }

    /** The update strategy the API server stores for this DaemonSet ({@code RollingUpdate} or {@code OnDelete}). */
    public static String updateStrategy(DaemonSet ds) {
        return DaemonSetChange.strategyOf(ds.getSpec());
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
