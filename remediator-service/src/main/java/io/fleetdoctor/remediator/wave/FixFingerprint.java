package io.fleetdoctor.remediator.wave;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.remediator.plan.PlanEntity;
import io.fleetdoctor.remediator.plan.PlanJson;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a plan's fix changes, independent of the cluster: the rule, and per DaemonSet (by name) every spec field the
 * fix sets, as {@code /json/pointer=new value}. Two plans with the same fingerprint make the same change (e.g. image
 * v0.13.0 and {@code --iface=eth0}); the namespace, resourceVersion and untouched fields may differ per cluster.
 * Lists of values (container args) count as one field: a cluster whose flannel runs other args differs.
 */
public final class FixFingerprint {
    private static final ObjectMapper M = new ObjectMapper();

    private FixFingerprint() {
    }

    public static String of(PlanEntity p) {
        StringBuilder s = new StringBuilder("rule ").append(p.rule).append('\n');
        PlanJson.changes(p).stream().sorted(Comparator.comparing(DaemonSetChange::name)).forEach(c -> {
            s.append("daemonset ").append(c.name()).append('\n');
            Map<String, String> fields = new TreeMap<>();
            try {
                delta("", M.readTree(c.before()), M.readTree(c.after()), fields);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("corrupt plan changes of " + p.id, e);
            }
            fields.forEach((k, v) -> s.append("  ").append(k).append('=').append(v).append('\n'));
        });
        return s.toString();
    }

    /** Collects the fields where {@code after} differs from {@code before}, with the value in {@code after}. */
    static void delta(String path, JsonNode before, JsonNode after, Map<String, String> out) {
        JsonNode a = before == null ? MissingNode.getInstance() : before;
        JsonNode b = after == null ? MissingNode.getInstance() : after;
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                delta(path + "/" + n, a.get(n), b.get(n), out);
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size() && a.size() > 0 && a.get(0).isObject()) {
            for (int i = 0; i < a.size(); i++) {
                delta(path + "/" + i, a.get(i), b.get(i), out);
            }
        } else {
            out.put(path, b.isMissingNode() ? "(removed)" : b.toString());
        }
    }
}
