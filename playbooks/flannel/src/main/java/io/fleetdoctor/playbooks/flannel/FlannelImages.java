package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which flannel image versions have the programs a container runs. A container's image moves to the target only
 * when the target has its program: {@code /opt/bin/install-conf} is in the flannel image since v0.28.6
 * (flannel-io/flannel commit 6c58d115, #2466; images/Dockerfile), and the manifests since then run it in the
 * {@code install-cni} init container. {@code /opt/bin/flanneld} and {@code cp} are in every release.
 */
public final class FlannelImages {
    /** Program path → first flannel release whose image has it. */
    static final Map<String, String> PROGRAM_SINCE = Map.of("/opt/bin/install-conf", "v0.28.6");

    private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)(-rc(\\d+))?");

    private FlannelImages() {
    }

    /**
     * Why {@code target} cannot run this container's program (null when it can or the program is in every release),
     * e.g. "runs /opt/bin/install-conf, in flannel images since v0.28.6; v0.28.4 lacks it".
     */
    public static String unsupported(Container c, String target) {
        List<String> tokens = new ArrayList<>();
        if (c.getCommand() != null) {
            tokens.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            tokens.addAll(c.getArgs());
        }
        for (Map.Entry<String, String> p : PROGRAM_SINCE.entrySet()) {
            if (tokens.stream().noneMatch(t -> t != null && t.contains(p.getKey()))) {
                continue;
            }
            String tag = ImageRef.tag(target);
            int cmp = compare(tag, p.getValue());
            if (cmp == Integer.MIN_VALUE) {
                return "runs " + p.getKey() + ", in flannel images since " + p.getValue() + "; the version of "
                        + target + " is unknown";
            }
            if (cmp < 0) {
                return "runs " + p.getKey() + ", in flannel images since " + p.getValue() + "; " + tag + " lacks it";
            }
        }
        return null;
    }

    /**
     * Compares two release tags ({@code v0.28.6}, {@code v0.10.0-amd64}, {@code v0.13.1-rc1},
     * {@code v0.28.9-build20260819}); an {@code -rcN} comes before its release. Integer.MIN_VALUE when a tag is
     * not a version.
     */
    static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        if (x == null || y == null) {
            return Integer.MIN_VALUE;
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] != y[i]) {
                return x[i] < y[i] ? -1 : 1;
            }
        }
        return 0;
    }

    private static long[] parse(String tag) {
        if (tag == null) {
            return null;
        }
        Matcher m = VERSION.matcher(tag);
        if (!m.find()) {
            return null;
        }
        long rc = m.group(5) == null ? Long.MAX_VALUE : Long.parseLong(m.group(5));
        return new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), rc};
    }
}
