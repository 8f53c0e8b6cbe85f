package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fleetdoctor.events.FlannelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a flannel DaemonSet tells flanneld, read the one way every service uses: which container
 * runs flanneld, its image and version, and the interface selection from its flags (command, args,
 * also inside a {@code sh -c} script) and {@code FLANNELD_*} env. Flags follow flannel's main.go: Go's
 * flag package takes one or two dashes and a value after '=' or as the next word; {@code --iface} may
 * repeat (name or IP, first match wins), {@code --iface-regex} too, and {@code FLANNELD_<FLAG>} env sets
 * a flag not given on the command line. Pure.
 *
 * @param container     the flanneld container's name
 * @param tokens        command + args as given
 * @param iface         {@code --iface} values in order
 * @param ifaceRegex    {@code --iface-regex} values in order
 * @param ifaceCanReach the {@code --iface-can-reach} address, or null
 * @param publicIp      {@code --public-ip} / {@code FLANNELD_PUBLIC_IP}: without interface flags flanneld then uses
 *                      the interface carrying that address (main.go: "Searching for interface using …")
 * @param unknownFrom   where a binding may come from that the spec does not show: env of the interface flags
 *                      from {@code valueFrom} (e.g. {@code FLANNELD_IFACE=configMapKeyRef rke2-canal-config/canal_iface})
 *                      and every {@code envFrom} source
 */
public record FlannelSpec(String container, String image, String version, List<String> tokens, List<String> iface,
                          List<String> ifaceRegex, String ifaceCanReach, String publicIp, List<String> unknownFrom) {

    /** How flanneld's interface is chosen, as far as the spec tells. */
    public enum Binding {
        /** by {@code --iface}, {@code --iface-regex}, {@code --iface-can-reach} or {@code --public-ip} */
        BOUND,
        /** not bound by anything literal, but env from a ConfigMap, Secret or field may bind it */
        UNKNOWN,
        /** the default route's interface */
        UNBOUND
    }

    static final String IFACE = "iface";
    static final String IFACE_REGEX = "iface-regex";
    static final String IFACE_CAN_REACH = "iface-can-reach";
    static final String PUBLIC_IP = "public-ip";
    /** Env names of the interface flags (flannel's flagutil: FLANNELD_ + upper case, '-' → '_'). */
    static final Map<String, String> ENV = Map.of("FLANNELD_IFACE", IFACE, "FLANNELD_IFACE_REGEX", IFACE_REGEX,
            "FLANNELD_IFACE_CAN_REACH", IFACE_CAN_REACH);

    /** Env names that select the interface (flannel's flagutil: FLANNELD_ + flag name). */
    static final List<String> BINDING_ENV = List.of("FLANNELD_IFACE", "FLANNELD_IFACE_REGEX",
            "FLANNELD_IFACE_CAN_REACH", "FLANNELD_PUBLIC_IP");

    public FlannelSpec {
        tokens = List.copyOf(tokens);
        iface = List.copyOf(iface);
        ifaceRegex = List.copyOf(ifaceRegex);
        unknownFrom = List.copyOf(unknownFrom);
    }

    /** True when flanneld is told which interface to use: by a flag, its literal env, or a public IP. */
    public boolean bound() {
        return !iface.isEmpty() || !ifaceRegex.isEmpty() || ifaceCanReach != null || publicIp != null;
    }

    public Binding binding() {
        return bound() ? Binding.BOUND : unknownFrom.isEmpty() ? Binding.UNBOUND : Binding.UNKNOWN;
    }

    // ------------------------------------------------------------------ reading

    /** Labels that mark flannel's DaemonSets and pods (upstream {@code app}, kubespray and others {@code k8s-app}). */
    public static final Map<String, String> POD_LABELS = Map.of("app", "flannel", "k8s-app", "flannel");

    /** A pod labelled as flannel's. */
    public static boolean isFlannelPod(io.fabric8.kubernetes.api.model.Pod pod) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        return labels != null && POD_LABELS.entrySet().stream().anyMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** Labels {@code app=flannel} / {@code k8s-app=flannel}, or a container that runs flanneld. */
    public static boolean isFlannel(DaemonSet ds) {
        Map<String, String> labels = ds.getMetadata() == null ? null : ds.getMetadata().getLabels();
        if (labels != null && POD_LABELS.entrySet().stream().anyMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return true;
        }
        for (Container c : containers(ds)) {
            if (runsFlanneld(c)) {
                return true;
            }
        }
        return false;
    }

    /** The container that runs flanneld in a DaemonSet, or null when it has no containers. */
    public static Container flanneldContainer(DaemonSet ds) {
        return flanneldContainer(containers(ds), null);
    }

    /**
     * The container that runs flanneld: the one named {@code preferred} when given and present, else one
     * whose command, args or image mention flanneld, else one with a flannel image, else the first.
     */
    public static Container flanneldContainer(List<Container> containers, String preferred) {
        if (containers == null || containers.isEmpty()) {
            return null;
        }
        if (preferred != null) {
            for (Container c : containers) {
                if (preferred.equals(c.getName())) {
                    return c;
                }
            }
        }
        for (Container c : containers) {
            if (runsFlanneld(c)) {
                return c;
            }
        }
        for (Container c : containers) {
            if (c.getImage() != null && c.getImage().contains("flannel")) {
                return c;
            }
        }
        return containers.get(0);
    }

    /** The spec of a DaemonSet's flanneld container, or null when it has no containers. */
    public static FlannelSpec of(DaemonSet ds) {
        Container c = flanneldContainer(ds);
        return c == null ? null : of(c);
    }

    public static FlannelSpec of(Container c) {
        return of(c.getName(), c.getImage(), nn(c.getCommand()), nn(c.getArgs()), literalEnv(c), envRefs(c),
                envFrom(c));
    }

    /** The spec as a {@code flannel-config} signal carries it. */
    public static FlannelSpec of(FlannelConfig f) {
        return of(f.container(), f.image(), f.command(), f.args(), f.env(), f.envRefs(), f.envFrom());
    }

    static FlannelSpec of(String container, String image, List<String> command, List<String> args,
                          Map<String, String> env) {
        return of(container, image, command, args, env, Map.of(), List.of());
    }

    static FlannelSpec of(String container, String image, List<String> command, List<String> args,
                          Map<String, String> env, Map<String, String> envRefs, List<String> envFrom) {
        List<String> tokens = new ArrayList<>(command);
        tokens.addAll(args);
        List<String> words = words(tokens);
        List<String> iface = new ArrayList<>();
        List<String> regex = new ArrayList<>();
        String canReach = null;
        String publicIp = null;
        for (int i = 0; i < words.size(); i++) {
            String name = flagName(words.get(i));
            if (name == null || !(name.equals(IFACE) || name.equals(IFACE_REGEX) || name.equals(IFACE_CAN_REACH)
                    || name.equals(PUBLIC_IP))) {
                continue;
            }
            String w = words.get(i);
            String value;
            int eq = w.indexOf('=');
            if (eq >= 0) {
                value = w.substring(eq + 1);
            } else if (i + 1 < words.size()) {
                value = words.get(++i);
            } else {
                value = "";
            }
            if (value.isBlank()) {
                continue; // an empty --iface= selects nothing: flanneld falls back to the default route
            }
            switch (name) {
                case IFACE -> iface.add(value);
                case IFACE_REGEX -> regex.add(value);
                case PUBLIC_IP -> publicIp = value;
                default -> canReach = value;
            }
        }
        // env only sets a flag the command line did not
        String envIface = blankToNull(env.get("FLANNELD_IFACE"));
        if (iface.isEmpty() && envIface != null) {
            splitInto(envIface, iface);
        }
        String envRegex = blankToNull(env.get("FLANNELD_IFACE_REGEX"));
        if (regex.isEmpty() && envRegex != null) {
            splitInto(envRegex, regex);
        }
        if (canReach == null) {
            canReach = blankToNull(env.get("FLANNELD_IFACE_CAN_REACH"));
        }
        if (publicIp == null) {
            publicIp = blankToNull(env.get("FLANNELD_PUBLIC_IP"));
        }
        List<String> unknown = new ArrayList<>();
        for (String name : BINDING_ENV) {
            if (envRefs.containsKey(name) && blankToNull(env.get(name)) == null) {
                unknown.add(name + "=" + envRefs.get(name));
            }
        }
        envFrom.forEach(src -> unknown.add("envFrom " + src));
        String img = image == null ? "" : image;
        return new FlannelSpec(container, img, ImageRef.tag(img), tokens, iface, regex, canReach, publicIp, unknown);
    }

    /** The data of a {@code flannel-config} signal, or null when the DaemonSet has no container. */
    public static FlannelConfig toConfig(DaemonSet ds) {
        Container c = flanneldContainer(ds);
        if (c == null) {
            return null;
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
                ImageRef.tag(image), nn(c.getCommand()), nn(c.getArgs()), literalEnv(c), rv, desired, ready,
                envRefs(c), envFrom(c));
    }

    // ------------------------------------------------------------------ what flanneld does

    /**
     * The interface flanneld picks on a node with these interfaces (name → IPv4 address), or null when
     * it exits because nothing matches. Unbound, it takes the default route's interface.
     */
    public String chooseInterface(Map<String, String> nodeIfaces, String defaultRouteIface) {
        if (!bound()) {
            return defaultRouteIface;
        }
        for (String want : iface) {
            for (Map.Entry<String, String> e : new TreeMap<>(nodeIfaces).entrySet()) {
                if (want.equals(e.getKey()) || want.equals(e.getValue())) {
                    return e.getKey();
                }
            }
        }
        for (String re : ifaceRegex) {
            Pattern p;
            try {
                p = Pattern.compile(re);
            } catch (PatternSyntaxException e) {
                return null; // flanneld refuses an invalid regex
            }
            for (Map.Entry<String, String> e : new TreeMap<>(nodeIfaces).entrySet()) {
                if (e.getValue() != null && p.matcher(e.getValue()).find()) {
                    return e.getKey();
                }
            }
            for (String name : new TreeMap<>(nodeIfaces).keySet()) {
                if (p.matcher(name).find()) {
                    return name;
                }
            }
        }
        if (ifaceCanReach != null) {
            return defaultRouteIface; // the route towards the address; a simulated node has one route
        }
        if (publicIp != null && iface.isEmpty() && ifaceRegex.isEmpty()) {
            for (Map.Entry<String, String> e : new TreeMap<>(nodeIfaces).entrySet()) {
                if (publicIp.equals(e.getValue())) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /** "image v0.13.0, --iface=eth0" for people. */
    public String describe() {
        List<String> flags = new ArrayList<>();
        iface.forEach(i -> flags.add("--iface=" + i));
        ifaceRegex.forEach(r -> flags.add("--iface-regex=" + r));
        if (ifaceCanReach != null) {
            flags.add("--iface-can-reach=" + ifaceCanReach);
        }
        if (publicIp != null) {
            flags.add("--public-ip=" + publicIp);
        }
        return "image " + (version == null ? image : version) + ", "
                + (flags.isEmpty() ? "no --iface" : String.join(", ", flags));
    }

    // ------------------------------------------------------------------ helpers

    /** The flag name of a word ({@code -iface}, {@code --iface=x} → {@code iface}), or null. */
    static String flagName(String word) {
        if (word == null || !word.startsWith("-") || word.equals("-") || word.equals("--")) {
            return null;
        }
        String s = word.startsWith("--") ? word.substring(2) : word.substring(1);
        int eq = s.indexOf('=');
        return eq < 0 ? s : s.substring(0, eq);
    }

    /**
     * Words as flanneld sees them: a token with whitespace that runs flanneld is a shell script
     * ({@code sh -c "… /opt/bin/flanneld --ip-masq …"}), whose words after flanneld are its arguments.
     */
    static List<String> words(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (String t : tokens) {
            if (t == null) {
                continue;
            }
            if (t.contains("flanneld") && t.strip().contains(" ")) {
                boolean after = false;
                for (String w : t.strip().split("\\s+")) {
                    String word = unquote(w);
                    if (after && (word.equals("&&") || word.equals(";") || word.equals("|") || word.equals("||"))) {
                        after = false;
                    } else if (after) {
                        out.add(word);
                    } else if (word.endsWith("flanneld")) {
                        after = true;
                    }
                }
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private static String unquote(String w) {
        String s = w.endsWith(";") ? w.substring(0, w.length() - 1) : w;
        return s.replace("\"", "").replace("'", "");
    }

    private static boolean runsFlanneld(Container c) {
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

    static Map<String, String> literalEnv(Container c) {
        Map<String, String> env = new TreeMap<>();
        for (EnvVar e : nn(c.getEnv())) {
            if (e.getName() != null && e.getValue() != null && e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    /** Env set from somewhere else: name → e.g. {@code configMapKeyRef cm/key}, {@code fieldRef status.hostIP}. */
    static Map<String, String> envRefs(Container c) {
        Map<String, String> refs = new TreeMap<>();
        for (EnvVar e : nn(c.getEnv())) {
            var f = e.getValueFrom();
            if (e.getName() == null || f == null) {
                continue;
            }
            String from;
            if (f.getConfigMapKeyRef() != null) {
                from = "configMapKeyRef " + f.getConfigMapKeyRef().getName() + "/" + f.getConfigMapKeyRef().getKey();
            } else if (f.getSecretKeyRef() != null) {
                from = "secretKeyRef " + f.getSecretKeyRef().getName() + "/" + f.getSecretKeyRef().getKey();
            } else if (f.getFieldRef() != null) {
                from = "fieldRef " + f.getFieldRef().getFieldPath();
            } else if (f.getResourceFieldRef() != null) {
                from = "resourceFieldRef " + f.getResourceFieldRef().getResource();
            } else {
                from = "valueFrom";
            }
            refs.put(e.getName(), from);
        }
        return refs;
    }

    /** Whole env sources, e.g. {@code configMapRef flannel-env}. */
    static List<String> envFrom(Container c) {
        List<String> out = new ArrayList<>();
        for (var src : nn(c.getEnvFrom())) {
            String prefix = src.getPrefix() == null || src.getPrefix().isEmpty() ? "" : " (prefix " + src.getPrefix() + ")";
            if (src.getConfigMapRef() != null) {
                out.add("configMapRef " + src.getConfigMapRef().getName() + prefix);
            } else if (src.getSecretRef() != null) {
                out.add("secretRef " + src.getSecretRef().getName() + prefix);
            }
        }
        return out;
    }

    private static void splitInto(String v, List<String> out) {
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
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
