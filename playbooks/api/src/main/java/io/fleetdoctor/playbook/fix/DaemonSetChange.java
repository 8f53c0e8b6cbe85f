package io.fleetdoctor.playbook.fix;

/**
 * The exact before/after of one DaemonSet's spec, as recorded when the plan was built.
 *
 * @param resourceVersion the live object's resourceVersion when the plan was built
 * @param specHash        hash of the canonical JSON of {@code before}; execution compares the live spec with it
 * @param afterHash       hash of {@code after}; a live spec with this hash is already remediated
 * @param before          JSON of the recorded {@code spec}
 * @param after           JSON of the desired {@code spec}
 * @param updateStrategy  the live {@code spec.updateStrategy.type}: {@code RollingUpdate} (apps/v1's default) or
 *                        {@code OnDelete} (extensions/v1beta1's default), where pods change only when deleted
 * @param metadataHash    hash of the labels and annotations when the plan was built (null when none were read):
 *                        execution refuses a DaemonSet whose spec, labels or annotations changed since; a newer
 *                        resourceVersion alone (the controller's status writes bump it every few seconds) does not
 */
public record DaemonSetChange(String namespace, String name, String resourceVersion, String specHash,
                              String afterHash, String before, String after, String diff, String updateStrategy,
                              String metadataHash) {

    public DaemonSetChange(String namespace, String name, String resourceVersion, String specHash, String afterHash,
                           String before, String after, String diff, String updateStrategy) {
        this(namespace, name, resourceVersion, specHash, afterHash, before, after, diff, updateStrategy, null);
    }

    /** Hash of labels and annotations in key order; null when both are empty (not read). */
    public static String metadataHash(java.util.Map<String, String> labels, java.util.Map<String, String> annotations) {
        boolean none = (labels == null || labels.isEmpty()) && (annotations == null || annotations.isEmpty());
        return none ? null : SpecJson.sha256(new java.util.TreeMap<>(labels == null ? java.util.Map.of() : labels)
                + "|" + new java.util.TreeMap<>(annotations == null ? java.util.Map.of() : annotations));
    }

    public static final String ROLLING_UPDATE = "RollingUpdate";
    public static final String ON_DELETE = "OnDelete";

    public boolean onDelete() {
        return ON_DELETE.equals(updateStrategy);
    }

    /** The change from a live DaemonSet to the desired spec, with its unified diff. */
    public static DaemonSetChange of(FixBuilder.LiveDaemonSet live, io.fabric8.kubernetes.api.model.apps.DaemonSetSpec after) {
        String beforeJson = SpecJson.toJson(live.spec());
        String afterJson = SpecJson.toJson(after);
        String ref = live.namespace() + "/daemonset/" + live.name();
        String d = UnifiedDiff.diff("a/" + ref + " (resourceVersion " + live.resourceVersion() + ")", "b/" + ref,
                SpecJson.toYaml(SpecJson.copy(live.spec())), SpecJson.toYaml(SpecJson.copy(after)));
        return new DaemonSetChange(live.namespace(), live.name(), live.resourceVersion(), SpecJson.sha256(beforeJson),
                SpecJson.sha256(afterJson), beforeJson, afterJson, d, strategyOf(live.spec()),
                metadataHash(live.labels(), live.annotations()));
    }

    /** The update strategy of a spec as the API server stores it; an absent one is apps/v1's default. */
    public static String strategyOf(io.fabric8.kubernetes.api.model.apps.DaemonSetSpec spec) {
        String type = spec == null || spec.getUpdateStrategy() == null ? null : spec.getUpdateStrategy().getType();
        return type == null || type.isBlank() ? ROLLING_UPDATE : type;
    }
}
