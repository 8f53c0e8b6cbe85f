package io.fleetdoctor.analyzer.config;

import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.rules.FlannelIfaceRule;
import io.fleetdoctor.analyzer.rules.FlannelIfaceSettings;
import io.fleetdoctor.analyzer.rules.Rule;
import io.fleetdoctor.analyzer.window.WindowSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The rules fleetdoctor knows, by id, and the engine built from configuration. A new rule is one
 * class plus one line in {@link #FACTORIES}.
 */
public final class RuleRegistry {
    private static final Map<String, Function<RuleRegistry, Rule>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(FlannelIfaceRule.ID, r -> new FlannelIfaceRule(r::flannelIface));
    }

    private final AnalyzerConfig config;
    private final Map<String, FlannelIfaceSettings> perCluster = new ConcurrentHashMap<>();
    private final FlannelIfaceSettings global;

    public RuleRegistry(AnalyzerConfig config) {
        this.config = config;
        this.global = globalFlannelIface(config.flannelIface());
        config.clusters().keySet().forEach(this::flannelIface); // fail at start on bad overrides
    }

    /** The engine with the enabled rules; an unknown rule id fails with the list of known ones. */
    public AnalyzerEngine engine() {
        List<Rule> rules = new ArrayList<>();
        for (String id : config.rules()) {
            Function<RuleRegistry, Rule> f = FACTORIES.get(id.strip());
            if (f == null) {
                throw new IllegalArgumentException("fleetdoctor.analyzer.rules: unknown rule '" + id + "', known: "
                        + FACTORIES.keySet());
            }
            rules.add(f.apply(this));
        }
        return new AnalyzerEngine(rules, this::window);
    }

    public static Set<String> knownRules() {
        return FACTORIES.keySet();
    }

    FlannelIfaceSettings flannelIface(String cluster) {
        AnalyzerConfig.ClusterOverrides o = config.clusters().get(cluster);
        if (o == null || o.flannelIface().isEmpty()) {
            return global;
        }
        return perCluster.computeIfAbsent(cluster, c -> {
            AnalyzerConfig.FlannelIfaceOverrides f = o.flannelIface().get();
            return new FlannelIfaceSettings(f.window().orElse(global.window()),
                    f.minRestarts().orElse(global.minRestarts()), global.churnComponents(),
                    f.ioBytesPerSec().orElse(global.ioBytesPerSec()),
                    f.minIoSamples().orElse(global.minIoSamples()), global.ioProcess(),
                    f.minNics().orElse(global.minNics()), f.resolveAfter().orElse(global.resolveAfter()),
                    f.knownBadVersions().orElse(global.knownBadVersions()),
                    f.knownGoodVersion().orElse(global.knownGoodVersion()), global.brokenOnKernels());
        });
    }

    private WindowSettings window(String cluster) {
        FlannelIfaceSettings f = flannelIface(cluster);
        Duration retention = f.window().compareTo(f.resolveAfter()) >= 0 ? f.window() : f.resolveAfter();
        return new WindowSettings(config.lateness(), retention, Set.of(f.ioProcess()), f.ioBytesPerSec(),
                Math.max(8, f.minIoSamples()));
    }

    private static FlannelIfaceSettings globalFlannelIface(AnalyzerConfig.FlannelIface f) {
        Map<String, List<String>> broken = new LinkedHashMap<>();
        for (String entry : f.brokenOnKernels()) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("fleetdoctor.analyzer.flannel-iface.broken-on-kernels: '" + entry
                        + "' is not version=kernel-prefix");
            }
            broken.computeIfAbsent(entry.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(entry.substring(eq + 1).strip());
        }
        return new FlannelIfaceSettings(f.window(), f.minRestarts(), f.churnComponents(), f.ioBytesPerSec(),
                f.minIoSamples(), f.ioProcess(), f.minNics(), f.resolveAfter(), f.knownBadVersions(),
                f.knownGoodVersion(), broken);
    }
}
