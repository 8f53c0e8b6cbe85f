package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sets flanneld's interface selection on a container: every existing {@code --iface},
 * {@code --iface-regex} and {@code --iface-can-reach} (flag or env) is removed, then the new flags
 * are added once where flanneld reads them: after its arguments, or inside a {@code sh -c} script right
 * after the flanneld word (appended after the script, flanneld would never see them). Applying it twice
 * gives the same container.
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
        if (applyInScript(command, newFlags) || applyInScript(args, newFlags)) {
            c.setCommand(c.getCommand() == null ? null : command);
            c.setArgs(c.getArgs() == null ? null : args);
            dropEnv(c);
            return;
        }
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
        dropEnv(c);
    }

    private static final java.util.regex.Pattern SCRIPT_FLAG = java.util.regex.Pattern.compile(
            "\\s+(['\"]?)--?(iface|iface-regex|iface-can-reach)(=\\S*|\\s+[^\\s-]\\S*)");
    private static final java.util.regex.Pattern FLANNELD_WORD = java.util.regex.Pattern.compile("\\S*flanneld\\b");

    /** In a shell-script token that runs flanneld: the flags replaced right after the flanneld word. */
    private static boolean applyInScript(List<String> tokens, List<String> newFlags) {
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t == null || !t.contains("flanneld") || !t.strip().contains(" ")) {
                continue;
            }
            String stripped = SCRIPT_FLAG.matcher(t).replaceAll("");
            java.util.regex.Matcher m = FLANNELD_WORD.matcher(stripped);
            if (!m.find()) {
                continue;
            }
            StringBuilder flags = new StringBuilder();
            for (String f : newFlags) {
                flags.append(' ').append(shellQuote(f));
            }
            tokens.set(i, stripped.substring(0, m.end()) + flags + stripped.substring(m.end()));
            return true;
        }
        return false;
    }

    /** A flag as one shell word: single-quoted when it holds anything the shell would interpret. */
    static String shellQuote(String flag) {
        return flag.matches("[A-Za-z0-9_.:=@/+,-]+") ? flag : "'" + flag.replace("'", "'\\''") + "'";
    }

    private static void dropEnv(Container c) {
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
