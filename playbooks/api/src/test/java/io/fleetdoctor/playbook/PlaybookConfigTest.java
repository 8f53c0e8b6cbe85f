package io.fleetdoctor.playbook;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlaybookConfigTest {

    /** Names as SmallRye lists them: dotted ones from application.properties, env variables as they are. */
    private static final Map<String, String> PROPERTIES = Map.of(
            "fleetdoctor.playbooks.flannel.min-restarts", "3",
            "fleetdoctor.playbooks.flannel.clusters.\"prod-eu-1\".min-restarts", "5",
            "fleetdoctor.playbooks.flannel.clusters.lab.min-restarts", "7",
            "FLEETDOCTOR_PLAYBOOKS_FLANNEL_CLUSTERS__EDGE_42__MIN_RESTARTS", "9",
            "FLEETDOCTOR_PLAYBOOKS_FLANNEL_CLUSTERS_STAGING_MIN_RESTARTS", "4",
            "fleetdoctor.analyzer.rules", "flannel-iface",
            "PATH", "/usr/bin");

    @Test
    void everyOverriddenClusterInEitherSpellingMayOverrideOthersDoNot() {
        Predicate<String> may = PlaybookConfig.mayOverride(PROPERTIES.keySet());
        for (String c : List.of("prod-eu-1", "lab", "edge-42", "edge.42", "staging")) {
            assertTrue(may.test(c), c);
        }
        for (String c : List.of("prod-eu-2", "edge-4", "fleet-0001", "inc-7", "flannel", "min-restarts-x")) {
            assertFalse(may.test(c), c);
        }
        // a yes without an override is allowed (its settings are then parsed and equal the global ones)
        assertTrue(may.test("prod"), "a part of prod-eu-1's id");
    }

    @Test
    void aClusterWithoutOverrideSharesTheGlobalSettingsParsedOnce() {
        AtomicInteger parses = new AtomicInteger();
        PlaybookConfig config = new PlaybookConfig("flannel", k -> Optional.ofNullable(PROPERTIES.get(k)),
                PlaybookConfig.mayOverride(PROPERTIES.keySet()));
        java.util.function.BiFunction<PlaybookConfig, String, Integer> parse = (c, cluster) -> {
            parses.incrementAndGet();
            return c.integer("min-restarts", cluster, 1);
        };
        Integer global = config.settings(null, parse);
        assertEquals(3, global);
        for (int i = 0; i < 100; i++) {
            assertSame(global, config.settings("fleet-" + i, parse));
        }
        assertEquals(1, parses.get());
        assertEquals(5, config.settings("prod-eu-1", parse));
        assertEquals(7, config.settings("lab", parse));
        assertEquals(3, parses.get());
    }

    @Test
    void withoutPropertyNamesEveryClusterIsParsedAsBefore() {
        AtomicInteger parses = new AtomicInteger();
        PlaybookConfig config = PlaybookConfig.of("flannel", PROPERTIES);
        java.util.function.BiFunction<PlaybookConfig, String, Object> parse = (c, cluster) -> {
            parses.incrementAndGet();
            return new Object();
        };
        Object global = config.settings(null, parse);
        assertNotSame(global, config.settings("fleet-1", parse));
        assertSame(config.settings("fleet-1", parse), config.settings("fleet-1", parse));
        assertEquals(2, parses.get());
    }
}
