package io.fleetdoctor.playbook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The playbooks on the class path ({@link ServiceLoader}), each with its configuration block, looked up
 * by playbook id, rule id or recommendation action.
 */
public final class Playbooks {
    private final Map<String, Playbook> byId = new LinkedHashMap<>();
    private final Map<String, PlaybookConfig> configs = new LinkedHashMap<>();

    /**
     * The playbooks of a host's configuration: {@code lookup} reads a property, {@code propertyNames} are all
     * the host knows, from which the clusters with overrides are found and validated now (and the clusters no
     * name mentions share the global settings: {@link PlaybookConfig#mayOverride}).
     */
    public static Playbooks fromConfig(Function<String, Optional<String>> lookup, Iterable<String> propertyNames) {
        List<String> names = new ArrayList<>();
        propertyNames.forEach(names::add);
        return new Playbooks(found(), lookup, PlaybookConfig.overriddenClusters(names), PlaybookConfig.mayOverride(names));
    }

    /**
     * @param lookup   full property name → value (the host's config)
     * @param clusters cluster ids with overrides to validate now, so a bad value fails at start-up
     */
    public static Playbooks load(Function<String, Optional<String>> lookup, Collection<String> clusters) {
        return new Playbooks(found(), lookup, clusters);
    }

    private static List<Playbook> found() {
        List<Playbook> found = new ArrayList<>();
        ServiceLoader.load(Playbook.class, Playbooks.class.getClassLoader()).forEach(found::add);
        return found;
    }

    public Playbooks(List<Playbook> playbooks, Function<String, Optional<String>> lookup, Collection<String> clusters) {
        this(playbooks, lookup, clusters, cluster -> true);
    }

    private Playbooks(List<Playbook> playbooks, Function<String, Optional<String>> lookup, Collection<String> clusters,
                      java.util.function.Predicate<String> mayOverride) {
        playbooks.stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(p -> {
            if (byId.putIfAbsent(p.id(), p) != null) {
                throw new IllegalStateException("two playbooks with id " + p.id());
            }
            PlaybookConfig c = new PlaybookConfig(p.id(), lookup, mayOverride);
            p.validate(c, clusters);
            configs.put(p.id(), c);
        });
    }

    public Collection<Playbook> all() {
        return byId.values();
    }

    public PlaybookConfig config(Playbook p) {
        return configs.get(p.id());
    }

    public Optional<Playbook> byRule(String ruleId) {
        return byId.values().stream().filter(p -> p.ruleId().equals(ruleId)).findFirst();
    }

    public Optional<Playbook> byAction(String action) {
        return byId.values().stream().filter(p -> p.action().equals(action)).findFirst();
    }

    /** Rule ids of every playbook, in playbook id order. */
    public List<String> ruleIds() {
        return byId.values().stream().map(Playbook::ruleId).toList();
    }
}
