package io.fleetdoctor.analyzer.window;

import io.fleetdoctor.analyzer.window.ClusterClock.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clock with one, two and more sources; times in seconds. */
class ClusterClockTest {
    private static final long Y2099 = 4_070_908_800L; // 2099-01-01T00:00:00Z

    private final ClusterClock clock = new ClusterClock(Duration.ofSeconds(60), Duration.ofMinutes(5),
            Duration.ofMinutes(2));

    /** Offers an event at {@code sec} seconds, applies it when admitted; returns the verdict. */
    private Verdict offer(String source, long sec) {
        Verdict v = clock.admit(source, sec * 1000);
        if (v == Verdict.OK) {
            clock.heard(source, sec * 1000);
        }
        return v;
    }

    private long now() {
        return clock.now() / 1000;
    }

    /** Every 30 s from {@code from} to {@code to} (exclusive) each source sends one event, shifted by its skew. */
    private List<Verdict> tick(long from, long to, String[] sources, long[] skews) {
        List<Verdict> out = new ArrayList<>();
        for (long t = from; t < to; t += 30) {
            for (int i = 0; i < sources.length; i++) {
                out.add(offer(sources[i], t + skews[i]));
            }
        }
        return out;
    }

    @Test
    void oneSourceIsFollowedAndOnlyAJumpIsRefused() {
        tick(0, 600, new String[] {"c"}, new long[] {0});
        assertEquals(570, now());
        assertEquals(Verdict.AHEAD, offer("c", Y2099));
        assertEquals(570, now());
        assertEquals(Verdict.OK, offer("c", 600)); // not late: the refused event set nothing
        // a pause, or a corrected clock: the first event after the step is refused, the second confirms it
        assertEquals(Verdict.AHEAD, offer("c", 4000));
        assertEquals(Verdict.OK, offer("c", 4030));
        assertEquals(4030, now());
    }

    @Test
    void withTwoSourcesTheClockIsTheEarlierAndNeitherIsRefusedForDisagreeing() {
        // a node 3 minutes ahead of the collector: the clock is the collector's
        List<Verdict> v = tick(0, 600, new String[] {"c", "n"}, new long[] {0, 180});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList());
        assertEquals(570, now());

        // a node 4 minutes behind: the clock is the node's (with two, neither is a majority)
        ClusterClockTest other = new ClusterClockTest();
        v = other.tick(0, 600, new String[] {"c", "n"}, new long[] {0, -240});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList());
        assertEquals(570 - 240, other.now());

        // a jump of either is refused
        assertEquals(Verdict.AHEAD, offer("n", Y2099));
        assertEquals(Verdict.AHEAD, offer("c", Y2099));
        assertEquals(570, now());
    }

    @Test
    void aFarOffFirstEventIsOverruledAndDoesNotBlindItsSource() {
        assertEquals(Verdict.OK, offer("n1", Y2099)); // nothing to compare with
        assertEquals(Y2099, now());
        List<Verdict> v = tick(0, 300, new String[] {"c", "n1", "n2"}, new long[] {0, 0, 0});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList()); // n1 not late against 2099
        assertEquals(270, now());
    }

    @Test
    void aSourceTooFarAheadOfTheMajorityIsRefusedAndTheOthersKeepTheClock() {
        List<Verdict> v = tick(0, 600, new String[] {"c", "n1", "n2", "n3"}, new long[] {0, 0, 600, 0});
        // c and n1 are heard first: all of n2's events are refused
        assertEquals(20, v.stream().filter(x -> x == Verdict.AHEAD).count());
        assertEquals(570, now());
        // n2 heard first, with only one other source to compare: taken, then refused; the clock is right
        ClusterClockTest first = new ClusterClockTest();
        v = first.tick(0, 600, new String[] {"n2", "c", "n1", "n3"}, new long[] {600, 0, 0, 0});
        assertEquals(19, v.stream().filter(x -> x == Verdict.AHEAD).count());
        assertEquals(570, first.now());
        // 4 minutes ahead (within max-future): taken, the clock stays with the majority
        ClusterClockTest other = new ClusterClockTest();
        v = other.tick(0, 600, new String[] {"c", "n1", "n2", "n3"}, new long[] {0, 0, 240, 0});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList());
        assertEquals(570, other.now());
    }

    @Test
    void whenMostSourcesGoQuietTheRestCarryTheClock() {
        tick(0, 600, new String[] {"c", "n1", "n2"}, new long[] {0, 0, 0});
        // n1 and n2 stop; after 2 minutes of c's time they stop counting, and c carries the clock
        List<Verdict> v = tick(600, 1200, new String[] {"c"}, new long[] {0});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList());
        assertEquals(1170, now());
        assertEquals(1, clock.countingSources());
        // they come back: they count again
        tick(1200, 1260, new String[] {"c", "n1", "n2"}, new long[] {0, 0, 0});
        assertEquals(3, clock.countingSources());
    }

    @Test
    void aSourceAheadThatIsLeftAloneIsRefusedOnlyUntilTheQuietOnesStopCounting() {
        tick(0, 600, new String[] {"c", "n1", "n2"}, new long[] {240, 0, 0});
        assertEquals(570, now());
        List<Verdict> v = tick(600, 1200, new String[] {"c"}, new long[] {240});
        // c (4 minutes ahead) alone: refused while the quiet ones still count, then carries the clock
        assertEquals(Verdict.OK, v.get(v.size() - 1));
        assertEquals(1170 + 240, now());
        assertEquals(List.of(Verdict.AHEAD), v.stream().filter(x -> x != Verdict.OK).distinct().toList());
    }

    @Test
    void lateIsJudgedPerSource() {
        tick(0, 600, new String[] {"c", "n1", "n2"}, new long[] {0, 0, 0});
        assertEquals(Verdict.OK, offer("c", 570 - 59));
        assertEquals(Verdict.LATE, offer("c", 570 - 61));
        // a source behind by 10 minutes is not late: its own events are in order
        ClusterClockTest other = new ClusterClockTest();
        List<Verdict> v = other.tick(0, 1200, new String[] {"c", "n1", "n2"}, new long[] {0, -600, 0});
        assertEquals(List.of(Verdict.OK), v.stream().distinct().toList());
        assertEquals(1170, other.now());
    }

    @Test
    void durationsReadAsAPersonWould() {
        assertEquals("72y", ClusterClock.human(Duration.ofDays(365 * 72 + 30).toMillis()));
        assertEquals("4d3h", ClusterClock.human(Duration.ofHours(99).toMillis()));
        assertEquals("10m", ClusterClock.human(Duration.ofMinutes(10).toMillis()));
        assertEquals("5m30s", ClusterClock.human(Duration.ofSeconds(330).toMillis()));
        assertEquals("900ms", ClusterClock.human(900));
    }

    @Test
    void selectGivesWhatSortingGave() {
        java.util.Random r = new java.util.Random(7);
        for (int round = 0; round < 5_000; round++) {
            int n = 1 + r.nextInt(120);
            long[] a = new long[n + r.nextInt(5)]; // room after n, as the clock's scratch has
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(round % 2 == 0 ? 8 : 1_000_000); // many duplicates, or few
            }
            int k = r.nextInt(n);
            long[] sorted = java.util.Arrays.copyOf(a, n);
            java.util.Arrays.sort(sorted);
            assertEquals(sorted[k], ClusterClock.select(a, n, k), "n=" + n + " k=" + k);
        }
    }

    /**
     * The shortcut of {@code heard} (skip the median when only a source above it moved up) gives exactly what a full
     * recompute gives: random fleets of 3 to 60 sources with skewed, pausing, jumping and far-off clocks, every
     * verdict, clock and reference compared event by event.
     */
    @Test
    void theMedianShortcutChangesNothing() {
        java.util.Random random = new java.util.Random(20261201);
        long skipped = 0;
        for (int run = 0; run < 300; run++) {
            Duration lateness = Duration.ofSeconds(10 + random.nextInt(120));
            Duration maxFuture = Duration.ofSeconds(120 + random.nextInt(600));
            Duration idle = Duration.ofSeconds(30 + random.nextInt((int) maxFuture.toSeconds() - 40));
            ClusterClock fast = new ClusterClock(lateness, maxFuture, idle, true);
            ClusterClock full = new ClusterClock(lateness, maxFuture, idle, false);
            int sources = 3 + random.nextInt(58);
            long[] skew = new long[sources];
            for (int i = 0; i < sources; i++) {
                skew[i] = random.nextInt(10) == 0 ? (random.nextInt(2000) - 1000) * 1000L : random.nextInt(20_000) - 10_000;
            }
            long t = 1_700_000_000_000L;
            for (int e = 0; e < 3_000; e++) {
                int i = random.nextInt(sources);
                t += random.nextInt(400);
                long at = t + skew[i];
                int odd = random.nextInt(100);
                if (odd == 0) {
                    at = 4_070_908_800_000L; // 2099
                } else if (odd == 1) {
                    at -= 600_000; // late
                } else if (odd == 2) {
                    skew[i] += 3_600_000; // the source's clock steps
                } else if (odd < 6 && i < sources / 3) {
                    continue; // a third of the sources pause now and then
                }
                if (run % 2 == 1 && odd > 2) {
                    at = at / 10_000 * 10_000; // agents on a common 10 s tick: many equal watermarks
                }
                String id = "s" + i;
                Verdict a = fast.admit(id, at);
                Verdict b = full.admit(id, at);
                assertEquals(b, a, "verdict, run " + run + " event " + e);
                if (a == Verdict.OK) {
                    fast.heard(id, at);
                    full.heard(id, at);
                } else if (a == Verdict.AHEAD) {
                    assertEquals(full.reference(), fast.reference(), "reference, run " + run + " event " + e);
                }
                assertEquals(full.now(), fast.now(), "clock, run " + run + " event " + e);
                assertEquals(full.countingSources(), fast.countingSources(), "counting, run " + run + " event " + e);
            }
            skipped += fast.shortcuts;
            assertEquals(0, full.shortcuts);
        }
        assertTrue(skipped > 50_000, "the shortcut was taken " + skipped + " times of 900,000 events");
    }
}
