package io.fleetdoctor.local;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ApprovalWaitTest {
    private Instant now = Instant.parse("2026-11-30T22:00:00Z");
    private final ApprovalWait wait = new ApprovalWait(new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }, 8081);

    private void after(int seconds) {
        now = now.plus(Duration.ofSeconds(seconds));
    }

    @Test
    void remindsOncePerMinuteWhileThePlanWaits() {
        assertNull(wait.poll("p1", "PENDING_APPROVAL"), "not known as pending yet");
        assertNull(wait.changed("p1", "PENDING_APPROVAL"));
        after(60);
        assertNull(wait.poll("p1", "PENDING_APPROVAL"), "a minute has not passed yet");
        after(1);
        assertEquals("waiting for approval (1m01s): open http://localhost:8081/ui/#/plan/p1",
                wait.poll("p1", "PENDING_APPROVAL"));
        after(30);
        assertNull(wait.poll("p1", "PENDING_APPROVAL"), "reminded 30s ago");
        after(31);
        assertEquals("waiting for approval (2m02s): open http://localhost:8081/ui/#/plan/p1",
                wait.poll("p1", "PENDING_APPROVAL"));
        after(120);
        assertNull(wait.poll("p1", "EXECUTING"), "no reminder once approved");
        assertNull(wait.poll("p2", "PENDING_APPROVAL"), "another plan has its own wait");
    }

    @Test
    void closingLineOnceTheProposedPlanSucceeded() {
        wait.changed("p1", "PENDING_APPROVAL");
        after(95);
        assertNull(wait.changed("p1", "VERIFYING"));
        assertEquals("fixed: plan p1 verified 1m35s after it was proposed; fleetdoctor keeps watching (Ctrl-C stops everything)",
                wait.changed("p1", "SUCCEEDED"));
        assertNull(wait.changed("p1", "FAILED"));
        assertEquals("fixed: plan p9 verified; fleetdoctor keeps watching (Ctrl-C stops everything)",
                wait.changed("p9", "SUCCEEDED"), "a plan first seen finished has no proposal time");
    }
}
