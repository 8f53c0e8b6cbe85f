package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sets flanneld's interface selection on a container: every existing {@code --iface},
 * {@code --iface-regex} and {@code --iface-can-reach} (flag or env) is removed, then the new flags
 * are appended once. Applying it twice gives the same container.
 */
public final class FlannelFlags {
    private static final Set<String> FLAGS = Set.of(FlannelSpec.IFACE, FlannelSpec.IFACE_REGEX, FlannelSpec.IFACE_CAN_REACH);
    private static final Set<String> ENV = FlannelSpec.ENV.keySet();

    private FlannelFlags() {
    }

    /** The new flags: one {@code --iface=} per name (tried in order), or one {@code --iface-regex=}. */
    public static List<String> flags(List<String> iface, String ifaceRegex) {
        List<String> out = new ArrayList<>();
        if (ifaceRegex != null && !ifaceRegex.isBlank()) {
            out.add("--iface-regex=" + ifaceRegex);
        } else {
            for (String i : iface) {
                out.add("--iface=" + i);
            }
        }
        return out;
    }

    public static void apply(Container c, List<String> newFlags) {
        List<String> command = c.getCommand() == null ? new ArrayList<>() : new ArrayList<>(c.getCommand());
        List<String> args = c.getArgs() == null ? new ArrayList<>() : new ArrayList<>(c.getArgs());
        boolean flagsInCommand = args.isEmpty() && command.size() > 1;
        command = strip(command);
        args = strip(args);
        if (flagsInCommand) {
            command.addAll(newFlags);
        } else {
            args.addAll(newFlags);
        }
        c.setCommand(command.isEmpty() && c.getCommand() == null ? null : command);
        c.setArgs(args.isEmpty() && c.getArgs() == null ? null : args);
        if (c.getEnv() != null) {
            List<EnvVar> env = new ArrayList<>();
            for (EnvVar e : c.getEnv()) {
                if (!ENV.contains(e.getName())) {
                    env.add(e);
                }
            }
            c.setEnv(env);
        }
    }

    /** Removes interface flags in both {@code --flag=value} and {@code --flag value} forms. */
    static List<String> strip(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String name = FlannelSpec.flagName(t);
            if (name != null && FLAGS.contains(name)) {
                if (t.indexOf('=') < 0 && i + 1 < tokens.size() && !tokens.get(i + 1).startsWith("-")) {
                    i++; // the value is the next token
                }
                continue;
            }
            out.add(t);
        }
        return out;
    }
}
