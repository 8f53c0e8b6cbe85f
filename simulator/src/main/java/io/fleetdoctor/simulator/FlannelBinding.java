package io.fleetdoctor.simulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What flanneld would do with a DaemonSet's spec on a node, following flannel's interface selection
 * (docs/DOMAIN.md): {@code --iface} values in order (name or IP, first match wins), then
 * {@code --iface-regex} values (IPs first, then names), also from {@code FLANNELD_IFACE} /
 * {@code FLANNELD_IFACE_REGEX}; without any, the interface of the default route (eth1 here). When
 * flags are given and nothing matches, flanneld exits: the interface is null. Pure.
 *
 * @param container the flanneld container's name
 * @param image     its image
 * @param version   the image tag (null when none)
 * @param args      command + args of the container
 * @param bound     whether any {@code --iface}/{@code --iface-regex} was given
 */
public record FlannelBinding(String container, String image, String version, List<String> args,
                             List<String> ifaces, List<String> regexes, boolean bound) {

    public static final String BAD_VERSION = "v0.13.1-rc1";

    /** The interface flanneld picks on a node with these interfaces (name → IPv4), or null (it exits). */
    public String chooseInterface(Map<String, String> nodeIfaces, String defaultRouteIface) {
        if (!bound) {
            return defaultRouteIface;
        }
        for (String want : ifaces) {
            for (Map.Entry<String, String> e : nodeIfaces.entrySet()) {
                if (want.equals(e.getKey()) || want.equals(e.getValue())) {
                    return e.getKey();
                }
            }
        }
        for (String re : regexes) {
            Pattern p;
            try {
                p = Pattern.compile(re);
            } catch (PatternSyntaxException e) {
                return null; // flanneld refuses an invalid regex
            }
            for (Map.Entry<String, String> e : nodeIfaces.entrySet()) {
                if (e.getValue() != null && p.matcher(e.getValue()).find()) {
                    return e.getKey();
                }
            }
            for (Map.Entry<String, String> e : nodeIfaces.entrySet()) {
                if (p.matcher(e.getKey()).find()) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /** The incident ends when flanneld runs a version other than v0.13.1-rc1 bound to eth0. */
    public boolean fixes(String chosenInterface) {
        return "eth0".equals(chosenInterface) && version != null && !BAD_VERSION.equals(version);
    }

    /** Null when the DaemonSet has no containers. */
    public static FlannelBinding of(DaemonSet ds) {
        Container c = flanneldContainer(ds);
        if (c == null) {
            return null;
        }
        List<String> all = new ArrayList<>();
        if (c.getCommand() != null) {
            all.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            all.addAll(c.getArgs());
        }
        List<String> ifaces = new ArrayList<>();
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String a = all.get(i);
            if (a == null) {
                continue;
            }
            String flag = a.startsWith("--") ? a.substring(2) : a.startsWith("-") ? a.substring(1) : null;
            if (flag == null) {
                continue;
            }
            String name = flag;
            String value = null;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                name = flag.substring(0, eq);
                value = flag.substring(eq + 1);
            }
            if (!name.equals("iface") && !name.equals("iface-regex")) {
                continue;
            }
            if (value == null && i + 1 < all.size()) {
                value = all.get(++i);
            }
            if (value == null || value.isEmpty()) {
                continue;
            }
            (name.equals("iface") ? ifaces : regexes).add(value);
        }
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValue() == null || e.getValue().isBlank()) {
                    continue;
                }
                if ("FLANNELD_IFACE".equals(e.getName()) && ifaces.isEmpty()) {
                    for (String v : e.getValue().split(",")) {
                        ifaces.add(v.trim());
                    }
                } else if ("FLANNELD_IFACE_REGEX".equals(e.getName()) && regexes.isEmpty()) {
                    for (String v : e.getValue().split(",")) {
                        regexes.add(v.trim());
                    }
                }
            }
        }
        String image = c.getImage() == null ? "" : c.getImage();
        return new FlannelBinding(c.getName(), image, tag(image), List.copyOf(all), List.copyOf(ifaces),
                List.copyOf(regexes), !ifaces.isEmpty() || !regexes.isEmpty());
    }

    static Container flanneldContainer(DaemonSet ds) {
        if (ds.getSpec() == null || ds.getSpec().getTemplate() == null || ds.getSpec().getTemplate().getSpec() == null
                || ds.getSpec().getTemplate().getSpec().getContainers() == null) {
            return null;
        }
        List<Container> cs = ds.getSpec().getTemplate().getSpec().getContainers();
        for (Container c : cs) {
            List<String> words = new ArrayList<>();
            if (c.getCommand() != null) {
                words.addAll(c.getCommand());
            }
            if (c.getArgs() != null) {
                words.addAll(c.getArgs());
            }
            for (String w : words) {
                if (w != null && w.contains("flanneld")) {
                    return c;
                }
            }
        }
        for (Container c : cs) {
            if (c.getImage() != null && c.getImage().contains("flannel")) {
                return c;
            }
        }
        return cs.isEmpty() ? null : cs.get(0);
    }

    static String tag(String image) {
        String ref = image;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        if (colon < 0 || colon < ref.lastIndexOf('/')) {
            return null;
        }
        String t = ref.substring(colon + 1);
        return t.isEmpty() ? null : t;
    }

    /** "image v0.13.0, --iface=eth0" for the terminal. */
    public String describe() {
        String flags = ifaces.isEmpty() && regexes.isEmpty() ? "no --iface"
                : String.join(", ", ifaces.stream().map(i -> "--iface=" + i).toList())
                + (regexes.isEmpty() ? "" : (ifaces.isEmpty() ? "" : ", ")
                + String.join(", ", regexes.stream().map(r -> "--iface-regex=" + r).toList()));
        return "image " + (version == null ? image : version) + ", " + flags;
    }
}
