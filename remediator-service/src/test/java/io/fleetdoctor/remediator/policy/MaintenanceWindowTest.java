package io.fleetdoctor.remediator.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaintenanceWindowTest {

    @ParameterizedTest(name = "{0} at {1} → {2}")
    @CsvSource(nullValues = "none", value = {
            "none,        2026-01-01T12:00:00Z, true",
            "02:00-04:00, 2026-01-01T03:00:00Z, true",
            "02:00-04:00, 2026-01-01T04:00:00Z, false",
            "02:00-04:00, 2026-01-01T01:59:00Z, false",
            "22:00-02:00, 2026-01-01T23:30:00Z, true",
            "22:00-02:00, 2026-01-01T01:00:00Z, true",
            "22:00-02:00, 2026-01-01T12:00:00Z, false",
    })
    void windows(String window, String at, boolean inside) {
        assertEquals(inside, PolicyService.inWindow(window, Instant.parse(at)));
    }
}
