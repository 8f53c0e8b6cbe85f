package io.fleetdoctor.deploycheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Package cycles among a module's own packages, read from the sources under {@code src/main/java}.
 * <p>
 * A file depends on the packages named by its imports (single-type, on-demand, static) and by the
 * fully-qualified names in its code, with comments and string, text-block and char literals removed. A
 * reference without either is to the file's own package, which ties nothing. Only the packages the module
 * itself declares count. The package of a qualified name is the part before its first segment that starts
 * with an upper-case letter (the Java naming convention every module here follows), so
 * {@code a.b.Outer.Inner} and {@code static a.b.Outer.member} are both in {@code a.b}.
 * <p>
 * A cycle is a strongly connected set of two or more packages; it is reported with the dependencies that
 * tie it, each as {@code from -> to (the files that refer)}. Package names are relative to the module's
 * common package ({@code api} for {@code io.fleetdoctor.analyzer.api}; the common package itself is
 * {@code .}).
 */
final class PackageCycles {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.\\s]+?)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("\\bimport\\s+(?:static\\s+)?([\\w$.\\s]+?(?:\\.\\s*\\*)?)\\s*;");
    /** a.b.C not preceded by a name or a dot: the start of a qualified name. */
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w$.])((?:[a-z_][\\w$]*\\s*\\.\\s*)+[A-Z][\\w$]*)");

    /** A dependency of one package on another of the same module, and the files of {@code from} that make it. */
    record Tie(String from, String to, Set<String> files) {
        @Override
        public String toString() {
            return from + " -> " + to + " (" + String.join(", ", files) + ")";
        }
    }

    /** Packages that depend on each other, and every reference between two of them. */
    record Cycle(List<String> packages, List<Tie> ties) {
        @Override
        public String toString() {
            return "cycle " + packages + ": " + ties.stream().map(Tie::toString).collect(Collectors.joining(", "));
        }
    }

    private PackageCycles() {
    }

    /** The cycles among the packages of one source root, in a stable order; empty when there is none. */
    static List<Cycle> find(Path sourceRoot) throws IOException {
        Map<Path, String> code = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
                code.put(f, code(Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        Map<Path, String> packageOf = new HashMap<>();
        code.forEach((f, c) -> {
            Matcher m = PACKAGE.matcher(c);
            packageOf.put(f, m.find() ? squeeze(m.group(1)) : "");
        });
        Set<String> own = new TreeSet<>(packageOf.values());

        String base = commonPackage(own);
        Map<String, Set<String>> graph = new TreeMap<>();
        Map<List<String>, Set<String>> ties = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (Map.Entry<Path, String> e : code.entrySet()) {
            String from = packageOf.get(e.getKey());
            graph.computeIfAbsent(from, k -> new TreeSet<>());
            Set<String> to = new TreeSet<>();
            Matcher imports = IMPORT.matcher(e.getValue());
            while (imports.find()) {
                to.add(packageOfName(squeeze(imports.group(1))));
            }
            Matcher names = QUALIFIED.matcher(e.getValue());
            while (names.find()) {
                to.add(packageOfName(squeeze(names.group(1))));
            }
            for (String p : to) {
                if (!p.equals(from) && own.contains(p)) {
                    graph.get(from).add(p);
                    ties.computeIfAbsent(List.of(from, p), k -> new TreeSet<>()).add(e.getKey().getFileName().toString());
                }
            }
        }
        List<Cycle> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                List<Tie> inside = new ArrayList<>();
                ties.forEach((k, files) -> {
                    if (component.contains(k.get(0)) && component.contains(k.get(1))) {
                        inside.add(new Tie(relative(base, k.get(0)), relative(base, k.get(1)), files));
                    }
                });
                cycles.add(new Cycle(component.stream().map(c -> relative(base, c)).collect(Collectors.toList()), inside));
            }
        }
        return cycles;
    }

    /** The longest package that contains every one of them (whole segments). */
    private static String commonPackage(Set<String> packages) {
        List<String> common = null;
        for (String p : packages) {
            List<String> parts = List.of(p.split("\\."));
            if (common == null) {
                common = parts;
            } else {
                int n = 0;
                while (n < common.size() && n < parts.size() && common.get(n).equals(parts.get(n))) {
                    n++;
                }
                common = common.subList(0, n);
            }
        }
        return common == null ? "" : String.join(".", common);
    }

    private static String relative(String base, String pkg) {
        return pkg.equals(base) ? "." : base.isEmpty() ? pkg : pkg.substring(base.length() + 1);
    }

    /** {@code a.b.C.D} and {@code a.b.C.member} are in a.b; {@code a.b.*} is a.b itself. */
    static String packageOfName(String name) {
        String[] parts = name.split("\\.");
        StringBuilder pkg = new StringBuilder();
        for (String part : parts) {
            if (part.equals("*") || Character.isUpperCase(part.charAt(0))) {
                break;
            }
            pkg.append(pkg.length() == 0 ? "" : ".").append(part);
        }
        return pkg.toString();
    }

    private static String squeeze(String s) {
        return s.replaceAll("\\s+", "");
    }

    /** The source without comments and with every string, text block and char literal emptied. */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int n = src.length();
        int i = 0;
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int j = i + 3;
                while (j < n && !src.startsWith("\"\"\"", j)) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Tarjan's algorithm, iterative; components in the order they complete. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String start : graph.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Object[]> work = new ArrayDeque<>(); // {node, iterator over its successors}
            visit(start, index, low, stack, onStack, counter);
            work.push(new Object[] {start, graph.getOrDefault(start, Set.of()).iterator()});
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                String v = (String) frame[0];
                @SuppressWarnings("unchecked")
                java.util.Iterator<String> next = (java.util.Iterator<String>) frame[1];
                if (next.hasNext()) {
                    String w = next.next();
                    if (!index.containsKey(w)) {
                        visit(w, index, low, stack, onStack, counter);
                        work.push(new Object[] {w, graph.getOrDefault(w, Set.of()).iterator()});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = (String) work.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> component = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    out.add(component);
                }
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                              Set<String> onStack, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
    }
}
