package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts flanneld's interface selection on a container without deleting anything the owner wrote. flanneld
 * (main.go) tries every {@code --iface} in order, then every {@code --iface-regex} in order, then
 * {@code --iface-can-reach}; the first match wins. So the new flags go in front of the existing flags of the same
 * kind: the owner's own flags stay, as fallbacks. They are written where flanneld reads them: among its arguments
 * (command or args, as the container has them), or inside a {@code sh -c} / {@code bash -c} script after the
 * flanneld word (appended after the script, flanneld would never see them). {@code FLANNELD_*} env entries are
 * never touched (a flag on the command line wins over them). Applying it twice gives the same container.
 */
public final class FlannelFlags {

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

    /** Whether flanneld's command-line flags of this kind already start with these values, in order. */
    static boolean alreadyFirst(Container c, List<String> newFlags) {
        if (newFlags.isEmpty()) {
            return true;
        }
        String kind = FlannelSpec.flagName(newFlags.get(0));
        List<String> want = newFlags.stream().map(f -> f.substring(f.indexOf('=') + 1)).toList();
        List<String> have = flagValues(c, kind);
        return have.size() >= want.size() && have.subList(0, want.size()).equals(want);
    }

    private static List<String> flagValues(Container c, String name) {
        List<String> tokens = new ArrayList<>(nn(c.getCommand()));
        tokens.addAll(nn(c.getArgs()));
        List<String> words = FlannelSpec.words(tokens);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (name.equals(FlannelSpec.flagName(words.get(i)))) {
                String w = words.get(i);
                int eq = w.indexOf('=');
                out.add(eq >= 0 ? w.substring(eq + 1) : (i + 1 < words.size() ? words.get(++i) : ""));
            }
        }
        return out;
    }

    /** Adds {@code newFlags} (all of one kind, from {@link #flags}) in front of the existing flags of that kind. */
    public static void apply(Container c, List<String> newFlags) {
        if (alreadyFirst(c, newFlags)) {
            return;
        }
        String kind = FlannelSpec.flagName(newFlags.get(0));
        List<String> command = c.getCommand() == null ? new ArrayList<>() : new ArrayList<>(c.getCommand());
        List<String> args = c.getArgs() == null ? new ArrayList<>() : new ArrayList<>(c.getArgs());
        if (applyInScript(command, newFlags, kind) || applyInScript(args, newFlags, kind)) {
            c.setCommand(c.getCommand() == null ? null : command);
            c.setArgs(c.getArgs() == null ? null : args);
            return;
        }
        // before the first flag of the same kind (command first: its words come before args)
        int at = indexOfFlag(command, kind, 1);
        if (at >= 0) {
            command.addAll(at, newFlags);
        } else if ((at = indexOfFlag(args, kind, 0)) >= 0) {
            args.addAll(at, newFlags);
        } else if (args.isEmpty() && command.size() > 1) {
            command.addAll(newFlags); // flanneld's flags are in command: keep them together
        } else {
            args.addAll(newFlags);
        }
        c.setCommand(command.isEmpty() && c.getCommand() == null ? null : command);
        c.setArgs(args.isEmpty() && c.getArgs() == null ? null : args);
    }

    private static int indexOfFlag(List<String> tokens, String kind, int from) {
        for (int i = from; i < tokens.size(); i++) {
            if (kind.equals(FlannelSpec.flagName(tokens.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static final Pattern FLANNELD_WORD = Pattern.compile("\\S*flanneld\\b");
    /** A script word that ends flanneld's arguments. */
    private static final Pattern END_OF_COMMAND = Pattern.compile("(;|&&|\\|\\||\\||\\n)");

    /**
     * In a shell-script token that runs flanneld: the flags inserted before the first flag of that kind among
     * flanneld's arguments, or right after the flanneld word when there is none.
     */
    private static boolean applyInScript(List<String> tokens, List<String> newFlags, String kind) {
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t == null || !t.contains("flanneld") || !t.strip().contains(" ")) {
                continue;
            }
            Matcher m = FLANNELD_WORD.matcher(t);
            if (!m.find()) {
                continue;
            }
            int argsStart = m.end();
            Matcher end = END_OF_COMMAND.matcher(t);
            int argsEnd = end.find(argsStart) ? end.start() : t.length();
            Matcher flag = Pattern.compile("(?<=\\s)['\"]?--?" + Pattern.quote(kind) + "(?=[=\\s'\"]|$)")
                    .matcher(t.substring(0, argsEnd));
            StringBuilder flags = new StringBuilder();
            String inserted;
            if (flag.find(argsStart)) {
                for (String f : newFlags) {
                    flags.append(shellQuote(f)).append(' ');
                }
                inserted = t.substring(0, flag.start()) + flags + t.substring(flag.start());
            } else {
                for (String f : newFlags) {
                    flags.append(' ').append(shellQuote(f));
                }
                inserted = t.substring(0, argsStart) + flags + t.substring(argsStart);
            }
            tokens.set(i, inserted);
            return true;
        }
        return false;
    }

    /** A flag as one shell word: single-quoted when it holds anything the shell would interpret. */
    static String shellQuote(String flag) {
        return flag.matches("[A-Za-z0-9_.:=@/+,-]+") ? flag : "'" + flag.replace("'", "'\\''") + "'";
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }
}
