package io.fleetdoctor.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
    @Test
    void options() {
        Options o = Options.parse("--dir", "/tmp/x", "--nodes", "2", "--restart-every=1500ms", "--watch-stdin");
        assertEquals(List.of("master01", "node01"), o.nodeNames());
        assertEquals(Duration.ofMillis(1500), o.restartEvery());
        assertTrue(o.watchStdin());
        assertEquals("demo-1", o.cluster());
        assertEquals(Duration.ofSeconds(20), Options.parse("--dir", "d", "--restart-every", "20s").restartEvery());
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--nodes", "3"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--dir", "d", "--restart-every", "soon"));
    }

    @Test
    void bondedNode() {
        assertEquals(null, Options.parse("--dir", "d").bondedNode(), "the demo story: no bonded node");
        assertEquals("node02", Options.parse("--dir", "d", "--bonded-node", "node02").bondedNode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse("--dir", "d", "--nodes", "2", "--bonded-node", "node02"));
        assertEquals("--bonded-node must be one of [master01, node01], was node02", e.getMessage());
    }

    @Test
    void healthyAndHelm() {
        Options o = Options.parse("--dir", "d", "--scenario", "healthy", "--helm");
        assertEquals(Options.HEALTHY, o.scenario());
        assertTrue(o.helm());
        assertEquals(false, Options.parse("--dir", "d").helm(), "the demo story: not a Helm release");
    }
}
