package io.fleetdoctor.playbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One playbook's configuration block, {@code fleetdoctor.playbooks.<id>.*}, with per-cluster overrides
 * under {@code fleetdoctor.playbooks.<id>.clusters."<cluster>".*}. Every service reads the same block
 * through this class, backed by its MicroProfile config (or a map in tests and replays), so a
 * threshold has one name and one syntax everywhere.
 */
public final class PlaybookConfig {
    public static final String PREFIX = "fleetdoctor.playbooks.";

    private final String playbook;
    private final Function<String, Optional<String>> lookup;
    private final java.util.function.Predicate<String> mayOverride;
    private final java.util.Map<String, Object> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param lookup full property name → value, e.g. MicroProfile {@code config.getOptionalValue(k, String.class)} */
    public PlaybookConfig(String playbook, Function<String, Optional<String>> lookup) {
        this(playbook, lookup, cluster -> true);
    }

    /**
     * @param mayOverride false only for a cluster that certainly has no override of this block (see
     *                    {@link #mayOverride(Iterable)}): its settings are the global ones, not parsed again
     */
    public PlaybookConfig(String playbook, Function<String, Optional<String>> lookup,
                          java.util.function.Predicate<String> mayOverride) {
        this.playbook = playbook;
        this.lookup = lookup;
        this.mayOverride = mayOverride;
    }

    /**
     * Which clusters may have an override among {@code propertyNames} (every name the host's config knows, env
     * variables included): a cluster id that appears, in the env-variable form (upper case, anything else than a
     * letter or digit as {@code _}), after {@code CLUSTERS} in the same form of a {@code fleetdoctor.playbooks.*}
     * name. It may say yes for a cluster without an override (then its settings are parsed and equal the global
     * ones), never no for one with an override, in either the dotted or the env-variable spelling.
     * <p>
     * Performance (BENCHMARKS.md): a cluster's settings are parsed when the analyzer first sees it, with 3 config
     * lookups per key; for 1,250 new clusters that was ~8 % of the analyzer's CPU in a fresh run (and a rebalance
     * adopting many clusters pays it again). A cluster no name mentions shares the global settings instead.
     */
    public static java.util.function.Predicate<String> mayOverride(Iterable<String> propertyNames) {
        List<String> names = new ArrayList<>();
        for (String n : propertyNames) {
            String e = envForm(n);
            int at = e.startsWith("FLEETDOCTOR_PLAYBOOKS_") ? e.indexOf("_CLUSTERS_") : -1;
            if (at >= 0) {
                names.add(e.substring(at + "_CLUSTERS".length()));
            }
        }
        return cluster -> {
            String needle = "_" + envForm(cluster) + "_";
            for (String n : names) {
                if (n.contains(needle)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String envForm(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return b.toString();
    }

    public static PlaybookConfig of(String playbook, Map<String, String> properties) {
        return new PlaybookConfig(playbook, k -> Optional.ofNullable(properties.get(k)));
    }

    /** Cluster ids that any playbook block overrides ({@code fleetdoctor.playbooks.<id>.clusters."<cluster>".…}). */
    public static java.util.Set<String> overriddenClusters(Iterable<String> propertyNames) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String n : propertyNames) {
            int at = n.startsWith(PREFIX) ? n.indexOf(".clusters.") : -1;
            if (at < 0) {
                continue;
            }
            int start = at + ".clusters.".length();
            // quoted ("a.b") or bare up to the key, which has no dot
            int end = n.startsWith("\"", start) ? n.indexOf('"', start + 1) : n.lastIndexOf('.');
            if (n.startsWith("\"", start) && end > start + 1) {
                out.add(n.substring(start + 1, end));
            } else if (end > start) {
                out.add(n.substring(start, end));
            }
        }
        return out;
    }

    /**
     * The playbook's settings for a cluster (null: the global ones), parsed once by {@code parse} and kept:
     * rules ask for them on every evaluation.
     */
    @SuppressWarnings("unchecked")
    public <T> T settings(String cluster, java.util.function.BiFunction<PlaybookConfig, String, T> parse) {
        String key = cluster == null ? "" : cluster;
        Object known = parsed.get(key);
        if (known != null) {
            return (T) known;
        }
        // once per cluster (rules ask on every evaluation): its own settings, or the global ones it shares.
        // Not computeIfAbsent: the global entry may be made here too. Two threads may both parse: the same value.
        Object made = cluster != null && !mayOverride.test(cluster) ? settings(null, parse) : parse.apply(this, cluster);
        known = parsed.putIfAbsent(key, made);
        return (T) (known != null ? known : made);
    }

    public String playbook() {
        return playbook;
    }

    /** The property name of a key, e.g. {@code fleetdoctor.playbooks.flannel.min-restarts}. */
    public String name(String key) {
        return PREFIX + playbook + "." + key;
    }

    /** The cluster's override if set, else the global value. */
    public Optional<String> raw(String key, String cluster) {
        if (cluster != null) {
            Optional<String> o = lookup.apply(PREFIX + playbook + ".clusters.\"" + cluster + "\"." + key)
                    .or(() -> lookup.apply(PREFIX + playbook + ".clusters." + cluster + "." + key))
                    .filter(v -> !v.isBlank());
            if (o.isPresent()) {
                return o;
            }
        }
        return lookup.apply(name(key)).filter(v -> !v.isBlank());
    }

    public String string(String key, String cluster, String def) {
        return raw(key, cluster).map(String::strip).orElse(def);
    }

    public boolean bool(String key, String cluster, boolean def) {
        return raw(key, cluster).map(v -> parse(key, v, s -> {
            if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("not true or false");
            }
            return Boolean.parseBoolean(s);
        })).orElse(def);
    }

    public int integer(String key, String cluster, int def) {
        return raw(key, cluster).map(v -> parse(key, v, Integer::parseInt)).orElse(def);
    }

    public double number(String key, String cluster, double def) {
        return raw(key, cluster).map(v -> parse(key, v, Double::parseDouble)).orElse(def);
    }

    public Duration duration(String key, String cluster, Duration def) {
        return raw(key, cluster).map(v -> parse(key, v, PlaybookConfig::duration)).orElse(def);
    }

    /** Comma-separated; an empty value gives an empty list. */
    public List<String> list(String key, String cluster, List<String> def) {
        Optional<String> v = raw(key, cluster);
        if (v.isEmpty()) {
            return def;
        }
        List<String> out = new ArrayList<>();
        for (String s : v.get().split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return List.copyOf(out);
    }

    private <T> T parse(String key, String value, Function<String, T> f) {
        try {
            return f.apply(value.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name(key) + ": '" + value + "' " + (e.getMessage() == null
                    ? "is invalid" : "is invalid (" + e.getMessage() + ")"), e);
        }
    }

    /** ISO-8601 ({@code PT30M}) or a number with a unit ({@code 500ms}, {@code 60s}, {@code 30m}, {@code 2h}, {@code 1d}); a plain number is seconds. */
    static Duration duration(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
        }
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration");
        }
        double n = Double.parseDouble(s.substring(0, i));
        String unit = s.substring(i).strip();
        long millis = switch (unit) {
            case "", "s" -> Math.round(n * 1000);
            case "ms" -> Math.round(n);
            case "m" -> Math.round(n * 60_000);
            case "h" -> Math.round(n * 3_600_000);
            case "d" -> Math.round(n * 86_400_000);
            default -> throw new IllegalArgumentException("unknown unit '" + unit + "'");
        };
        return Duration.ofMillis(millis);
    }
}
