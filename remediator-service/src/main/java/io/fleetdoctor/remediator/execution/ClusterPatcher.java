package io.fleetdoctor.remediator.execution;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.SpecJson;
import io.fleetdoctor.playbook.fix.UnifiedDiff;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The cluster side of execution: stale check, dry run, apply, rollout status, restore. Every write carries the
 * resourceVersion of the read that justified it: the update the one read while spec, labels and annotations are
 * still those recorded at planning (a write by anyone in between → 409 → read and decide again), the restore the
 * one read while the spec is still fleetdoctor's. Not the resourceVersion recorded at planning: the DaemonSet
 * controller's status writes bump it every few seconds while pods restart, which would make every plan stale.
 */
public final class ClusterPatcher {
    static final int MAX_DIFF_LINES = 12;
    private static final int RESTORE_ATTEMPTS = 3;

    private final KubernetesClient client;

    public ClusterPatcher(KubernetesClient client) {
        this.client = client;
    }

    /** The API server refused a write because the object changed after the resourceVersion it carried. */
    public static final class Conflict extends RuntimeException {
        public Conflict(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How a restore ended. */
    public enum Restore { RESTORED, ALREADY_AT_RECORDED_SPEC, CHANGED_BY_SOMEONE_ELSE }

    /** @param detail for {@code CHANGED_BY_SOMEONE_ELSE}: who changed what, for people */
    public record RestoreResult(Restore outcome, String detail) {
    }

    public DaemonSet get(DaemonSetChange c) {
        return client.apps().daemonSets().inNamespace(c.namespace()).withName(c.name()).get();
    }

    /**
     * Why the live DaemonSets are not what the plan recorded (null when they are, or already remediated): another
     * spec, or other labels or annotations (a newer resourceVersion from status writes alone is fine).
     */
    public String staleReason(List<DaemonSetChange> changes) {
        for (DaemonSetChange c : changes) {
            DaemonSet live = get(c);
            if (live == null) {
                return ref(c) + " no longer exists";
            }
            if (SpecJson.hash(live.getSpec()).equals(c.afterHash())) {
                continue;
            }
            String why = changedSincePlanning(c, live);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Null while spec, labels and annotations are the recorded ones; else what changed, and who wrote last. */
    static String changedSincePlanning(DaemonSetChange c, DaemonSet live) {
        String rv = live.getMetadata().getResourceVersion();
        if (!SpecJson.hash(live.getSpec()).equals(c.specHash())) {
            return ref(c) + " changed since planning (resourceVersion " + c.resourceVersion() + " → " + rv + ", "
                    + lastWriter(live) + ")";
        }
        if (c.metadataHash() != null && !c.metadataHash().equals(DaemonSetChange.metadataHash(
                live.getMetadata().getLabels(), live.getMetadata().getAnnotations()))) {
            return ref(c) + " labels or annotations changed since planning (resourceVersion " + c.resourceVersion()
                    + " → " + rv + ", " + lastWriter(live) + ")";
        }
        return null;
    }

    /** Server-side dry run (dryRun=All) of the desired spec, with the resourceVersion just read. */
    public void dryRun(DaemonSetChange c) {
        update(c, true);
    }

    /**
     * Replaces the spec with the desired one while spec, labels and annotations are still those recorded, carrying
     * the resourceVersion of that read: a write by anyone in between gives 409, and the decision is made again on
     * a fresh read. Anything else changed → {@link Conflict}, nothing written. A DaemonSet already at the desired
     * spec is left alone.
     *
     * @return true when the object was changed
     */
    public boolean apply(DaemonSetChange c) {
        return update(c, false);
    }

    private boolean update(DaemonSetChange c, boolean dryRun) {
        for (int attempt = 1; ; attempt++) {
            DaemonSet live = get(c);
            if (live == null) {
                throw new Conflict(ref(c) + " no longer exists", null);
            }
            if (SpecJson.hash(live.getSpec()).equals(c.afterHash())) {
                return false;
            }
            String changed = changedSincePlanning(c, live);
            if (changed != null) {
                throw new Conflict(changed, null);
            }
            DaemonSet desired = withSpec(live, c.after(), live.getMetadata().getResourceVersion());
            try {
                var op = client.apps().daemonSets().inNamespace(c.namespace()).resource(desired);
                write(c, () -> {
                    if (dryRun) {
                        op.dryRun().update();
                    } else {
                        op.update();
                    }
                });
                return true;
            } catch (Conflict e) {
                if (attempt >= RESTORE_ATTEMPTS) {
                    throw e;
                }
                // written between our read and our update (a status write, or an edit): read and decide again
            }
        }
    }

    /**
     * Writes the recorded spec back only while the live spec is the one fleetdoctor wrote (hash == afterHash),
     * carrying the resourceVersion just read. A spec someone else changed is left as it is.
     */
    public RestoreResult restore(DaemonSetChange c) {
        for (int attempt = 1; ; attempt++) {
            DaemonSet live = get(c);
            if (live == null) {
                return new RestoreResult(Restore.CHANGED_BY_SOMEONE_ELSE, ref(c) + " was deleted");
            }
            String hash = SpecJson.hash(live.getSpec());
            if (hash.equals(c.specHash())) {
                return new RestoreResult(Restore.ALREADY_AT_RECORDED_SPEC, null);
            }
            if (!hash.equals(c.afterHash())) {
                return new RestoreResult(Restore.CHANGED_BY_SOMEONE_ELSE, ref(c) + " was changed after fleetdoctor's update ("
                        + lastWriter(live) + "):\n" + shortDiff(c, live));
            }
            DaemonSet restored = withSpec(live, c.before(), live.getMetadata().getResourceVersion());
            try {
                write(c, () -> client.apps().daemonSets().inNamespace(c.namespace()).resource(restored).update());
                return new RestoreResult(Restore.RESTORED, null);
            } catch (Conflict e) {
                if (attempt >= RESTORE_ATTEMPTS) {
                    throw e;
                }
                // a status update or an edit since the read: read again and decide again
            }
        }
    }

    /** Rollout of one DaemonSet done: observed the new generation, all scheduled pods updated and ready. */
    public boolean rolledOut(DaemonSetChange c) {
        DaemonSet live = get(c);
        return live != null && rolledOut(live);
    }

    static boolean rolledOut(DaemonSet live) {
        if (live.getStatus() == null) {
            return false;
        }
        DaemonSetStatus s = live.getStatus();
        Long generation = live.getMetadata().getGeneration();
        if (generation != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < generation)) {
            return false;
        }
        int desired = n(s.getDesiredNumberScheduled());
        return n(s.getUpdatedNumberScheduled()) == desired && n(s.getNumberReady()) == desired
                && n(s.getNumberUnavailable()) == 0;
    }

    /** "ns/name: updated 2/3, ready 3/3" from the DaemonSet's status. */
    public String progress(DaemonSetChange c) {
        DaemonSet live = get(c);
        if (live == null) {
            return ref(c) + ": gone";
        }
        DaemonSetStatus s = live.getStatus();
        if (s == null) {
            return ref(c) + ": no status yet";
        }
        int desired = n(s.getDesiredNumberScheduled());
        Long generation = live.getMetadata().getGeneration();
        boolean observed = generation == null || (s.getObservedGeneration() != null && s.getObservedGeneration() >= generation);
        return ref(c) + ": updated " + n(s.getUpdatedNumberScheduled()) + "/" + desired + ", ready " + n(s.getNumberReady())
                + "/" + desired + (observed ? "" : " (new generation not observed yet)");
    }

    public boolean atSpec(DaemonSetChange c, String spec) {
        DaemonSet live = get(c);
        return live != null && Objects.equals(SpecJson.hash(live.getSpec()), SpecJson.sha256(spec));
    }

    /** The newest writer of the object's spec from {@code metadata.managedFields} (status writes skipped). */
    static String lastWriter(DaemonSet live) {
        List<ManagedFieldsEntry> fields = live.getMetadata().getManagedFields();
        if (fields == null || fields.isEmpty()) {
            return "writer unknown: no managedFields";
        }
        return fields.stream().filter(f -> f.getSubresource() == null || f.getSubresource().isEmpty())
                .filter(f -> f.getTime() != null)
                .max(Comparator.comparing(ManagedFieldsEntry::getTime))
                .map(f -> "last written by " + f.getManager() + " (" + f.getOperation() + ") at " + f.getTime())
                .orElse("writer unknown: no dated managedFields entry");
    }

    /** The changed lines between fleetdoctor's spec and the live one, at most {@value #MAX_DIFF_LINES}. */
    static String shortDiff(DaemonSetChange c, DaemonSet live) {
        String d = UnifiedDiff.diff("fleetdoctor", "live", SpecJson.toYaml(SpecJson.fromJson(c.after())),
                SpecJson.toYaml(SpecJson.copy(live.getSpec())));
        List<String> lines = d.lines().filter(l -> (l.startsWith("+") || l.startsWith("-"))
                && !l.startsWith("+++") && !l.startsWith("---")).toList();
        StringBuilder out = new StringBuilder();
        lines.stream().limit(MAX_DIFF_LINES).forEach(l -> out.append(l).append('\n'));
        if (lines.size() > MAX_DIFF_LINES) {
            out.append("… ").append(lines.size() - MAX_DIFF_LINES).append(" more changed line(s)\n");
        }
        return out.toString().stripTrailing();
    }

    private void write(DaemonSetChange c, Runnable put) {
        try {
            put.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new Conflict(ref(c) + ": the API server refused the write (409 Conflict: changed since"
                        + " the resourceVersion it carried)", e);
            }
            throw e;
        }
    }

    private static DaemonSet withSpec(DaemonSet live, String specJson, String resourceVersion) {
        DaemonSet copy = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder(live).build();
        copy.setSpec(SpecJson.fromJson(specJson));
        copy.setStatus(null);
        copy.getMetadata().setResourceVersion(resourceVersion);
        copy.getMetadata().setManagedFields(null);
        return copy;
    }

    static String ref(DaemonSetChange c) {
        return c.namespace() + "/" + c.name();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
