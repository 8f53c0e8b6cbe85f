package io.fleetdoctor.analyzer.window;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's event-time clock, kept so that one source's clock cannot move it past what the
 * cluster's other sources say. A source is the CloudEvent {@code source} attribute (the collector,
 * or one node's agent).
 * <ul>
 * <li><b>Per-source watermarks.</b> Each source has its own watermark (the newest event time applied
 *     from it); an event more than {@code lateness} behind its own source's watermark is late. A skewed
 *     source only affects itself. (A watermark more than {@code maxFuture} ahead of the settled clock, which
 *     only events taken before there was a majority to judge them can set, is not believed: the source's
 *     next event replaces it.)</li>
 * <li><b>The cluster's clock</b> ({@link #now()}) is the median of the watermarks of the sources that
 *     count (for an even number the upper of the two middle ones; for exactly two sources the earlier
 *     one, since then neither is a majority). Vouched for by two or more sources it is <i>settled</i> and
 *     never moves back. While a single source counts, the clock follows it but does not settle (so a
 *     cluster's first event, if far off, is overruled by the next source). A source counts while it is
 *     not idle and not more than {@code maxFuture} behind the settled clock.</li>
 * <li><b>Idle sources.</b> A source is idle when, since it was last heard, another source's own time
 *     moved on by {@code sourceIdle}, one step of a source counting for at most half of that (so neither a
 *     source resuming after a pause nor one jumping makes the others idle at once). When most sources
 *     go quiet, the rest carry the clock; keep {@code sourceIdle} below {@code maxFuture}, so they do before
 *     their events look ahead.</li>
 * <li><b>Ahead.</b> An event more than {@code maxFuture} ahead of what the other counting sources say is
 *     refused ({@link Verdict#AHEAD}): with two or more of them, ahead of the median of their watermarks and
 *     the event's time. With one or none, only a jump is refused: an event of a source already heard
 *     ahead of both its own and the other source's watermark, unless the source's previous event was
 *     refused near the same time (the second event confirms a step of the source's clock: after a pause,
 *     or a corrected clock). Never when within {@code maxFuture} of the settled clock.</li>
 * </ul>
 * Deterministic (event times and arrival order only, no wall clock); not thread-safe.
 */
public final class ClusterClock {
    private static final long NONE = Long.MIN_VALUE;
    private static final int RING = 8;

    private final long lateness;
    private final long maxFuture;
    private final long idle;
    private final long maxStep;
    private final long spacing;
    private final Map<String, Source> byId = new HashMap<>();
    private final List<Source> sources = new ArrayList<>();
    /** Events offered so far (not late): the arrival order the idle rule counts in. */
    private long seq;
    /** Sources last heard before this arrival are idle. */
    private long idleMark;
    /** The clock as two or more sources vouch for it: only moves forward. */
    private long settled = NONE;
    /** The clock: {@code settled}, or ahead of it while a single source counts. */
    private long now = NONE;
    private long reference = NONE;
    private long[] scratch = new long[8];
    /** What the last full {@link #recompute} saw, for its shortcut in {@link #heard}; {@code lastN} 0: none. */
    private int lastN;
    private long lastKth;
    /** How many of the sources counted then are at or below {@code lastKth}, and the rank of the median. */
    private int lastAtOrBelow;
    private int lastK;
    /** The earliest arrival among the sources counted then: an idle mark up to it drops none of them. */
    private long lastLowestSeq;
    private long lastSettled;
    /** Tests compare the clock with and without the shortcut, and count how often it was taken. */
    private final boolean shortcut;
    long shortcuts;

    private static final class Source {
        final String id;
        /** Newest event time applied. */
        long watermark = NONE;
        /** Arrival of the last event applied. */
        long lastSeq = -1;
        /** Own event time the source moved on, each step counting for at most maxStep. */
        long progress;
        /** Time of this source's last event refused as ahead, while nothing of it was applied since. */
        long pendingAhead = NONE;
        /** Checkpoints (arrival, progress), oldest first in ring order. */
        final long[] cpSeq = new long[RING];
        final long[] cpProgress = new long[RING];
        int cpStart;
        int cpCount;

        Source(String id) {
            this.id = id;
        }
    }

    /** What the clock says about an event before it is applied. */
    public enum Verdict { OK, LATE, AHEAD }

    public ClusterClock(Duration lateness, Duration maxFuture, Duration sourceIdle) {
        this(lateness, maxFuture, sourceIdle, true);
    }

    ClusterClock(Duration lateness, Duration maxFuture, Duration sourceIdle, boolean shortcut) {
        this.shortcut = shortcut;
        this.lateness = lateness.toMillis();
        this.maxFuture = maxFuture.toMillis();
        this.idle = sourceIdle.toMillis();
        this.maxStep = Math.max(1, idle / 2);
        this.spacing = Math.max(1, idle / 4);
    }

    /**
     * Whether an event of the source at time {@code t} may be applied. An event that is not late counts
     * as its source moving on in its own time (for the idle rule): an applied one from the source's
     * watermark, one refused as {@code AHEAD} from the source's previous refused event (so a single
     * far-off event moves nothing on, while a source whose events are all refused still does). Refusing
     * remembers the event's time for the confirmation of a clock step; {@link #reference()} then tells
     * what it was compared with.
     */
    public Verdict admit(String sourceId, long t) {
        Source s = byId.get(sourceId);
        if (s != null && trusted(s) && t < s.watermark - lateness) {
            return Verdict.LATE;
        }
        if (s == null) {
            s = add(sourceId);
        }
        seq++;
        Verdict v = judge(s, t);
        if (v == Verdict.AHEAD) {
            moveOn(s, s.pendingAhead, t);
            s.pendingAhead = t;
        } else {
            moveOn(s, trusted(s) ? s.watermark : NONE, t);
        }
        return v;
    }

    private Verdict judge(Source s, long t) {
        if (settled != NONE && t <= settled + maxFuture) {
            return Verdict.OK;
        }
        int k = 0;
        long newestOther = NONE;
        for (Source o : sources) {
            if (o != s && counts(o)) {
                scratch = ensure(scratch, k + 2);
                scratch[k++] = o.watermark;
                newestOther = Math.max(newestOther, o.watermark);
            }
        }
        long ref;
        if (k >= 2) {
            scratch[k] = t;
            Arrays.sort(scratch, 0, k + 1);
            ref = Math.max(scratch[(k + 1) / 2], settled);
            if (t <= ref + maxFuture) {
                return Verdict.OK;
            }
        } else {
            ref = Math.max(Math.max(newestOther, s.watermark), settled);
            if (ref == NONE || t <= ref + maxFuture || s.watermark == NONE) {
                return Verdict.OK; // a new source and at most one other: no majority to tell which is off
            }
            if (s.pendingAhead != NONE && t >= s.pendingAhead - lateness && t <= s.pendingAhead + maxFuture) {
                return Verdict.OK; // the second event confirms the step
            }
        }
        reference = ref;
        return Verdict.AHEAD;
    }

    /** The time an event refused as {@code AHEAD} was compared with. */
    public long reference() {
        return reference;
    }

    /** An event of the source at time {@code t}, admitted just before, was applied. */
    public void heard(String sourceId, long t) {
        Source s = byId.get(sourceId);
        if (s == null) { // not admitted first: count it as arriving now
            s = add(sourceId);
            seq++;
            moveOn(s, NONE, t);
        }
        long before = s.watermark;
        boolean counted = lastN > 0 && countedAtLastRecompute(s);
        s.watermark = trusted(s) ? Math.max(s.watermark, t) : t;
        s.lastSeq = seq;
        s.pendingAhead = NONE;
        // Performance (BENCHMARKS.md): recompute walks every source of the cluster on every event (~9 % of the
        // analyzer's per-signal work with 50 nodes). When the counting sources are those of the last recompute
        // (the settled clock has not moved since and the idle mark has not passed any of them) and only this
        // source's watermark rose, and not past the median, or past it with more than the median's rank left at
        // or below it, the median is the same value: skip (~half of the events of a steady cluster). Exact;
        // ClusterClockTest compares it with a clock that always recomputes.
        if (shortcut && counted && s.watermark >= before) {
            if (before > lastKth || s.watermark <= lastKth) {
                shortcuts++; // no source crossed the median
                return;
            }
            if (lastAtOrBelow - 1 > lastK) {
                lastAtOrBelow--; // this one crossed it, enough are left at or below it
                shortcuts++;
                return;
            }
        }
        recompute();
    }

    /**
     * Whether the sources that count are still those of the last full recompute and this source is one of them,
     * judged before its new event is applied. The idle mark only grows and only drops sources; the settled clock
     * moves only in recompute.
     */
    private boolean countedAtLastRecompute(Source s) {
        return idleMark <= lastLowestSeq && settled == lastSettled && counts(s);
    }

    /**
     * The idle rule's bookkeeping: the source's own time moved on from {@code from} (none: a first
     * event) to {@code t}, one step counting for at most {@code maxStep}; sources last heard before this
     * source's newest checkpoint that is at least {@code idle} of its progress old are idle.
     */
    private void moveOn(Source s, long from, long t) {
        if (s.cpCount == 0) {
            checkpoint(s);
        }
        if (from == NONE || t <= from) {
            return;
        }
        s.progress += Math.min(t - from, maxStep);
        if (s.progress - s.cpProgress[(s.cpStart + s.cpCount - 1) % RING] >= spacing) {
            checkpoint(s);
        }
        for (int i = s.cpCount - 1; i >= 0; i--) {
            int j = (s.cpStart + i) % RING;
            if (s.cpProgress[j] <= s.progress - idle) {
                idleMark = Math.max(idleMark, s.cpSeq[j]);
                break;
            }
        }
    }

    private void checkpoint(Source s) {
        if (s.cpCount == RING) {
            s.cpStart = (s.cpStart + 1) % RING;
            s.cpCount--;
        }
        int j = (s.cpStart + s.cpCount) % RING;
        s.cpSeq[j] = seq;
        s.cpProgress[j] = s.progress;
        s.cpCount++;
    }

    private void recompute() {
        int n = 0;
        long lowest = Long.MAX_VALUE;
        long lowestSeq = Long.MAX_VALUE;
        for (Source o : sources) {
            if (counts(o)) {
                scratch = ensure(scratch, n + 1);
                scratch[n++] = o.watermark;
                lowest = Math.min(lowest, o.watermark);
                lowestSeq = Math.min(lowestSeq, o.lastSeq);
            }
        }
        lastN = 0;
        if (n == 1) {
            now = Math.max(settled, scratch[0]); // one source: followed, but not settled
        } else if (n >= 2) {
            long kth = select(scratch, n, n == 2 ? 0 : n / 2);
            settled = Math.max(settled, kth);
            now = settled;
            // kept for the shortcut only if the sources counted here all still count at the new settled clock
            if (n >= 3 && lowest >= settled - maxFuture) {
                int atOrBelow = 0;
                for (int i = 0; i < n; i++) {
                    atOrBelow += scratch[i] <= kth ? 1 : 0;
                }
                lastN = n;
                lastKth = kth;
                lastK = n / 2;
                lastAtOrBelow = atOrBelow;
                lastLowestSeq = lowestSeq;
                lastSettled = settled;
            }
        }
    }

    /**
     * The {@code k}-th smallest of {@code a[0..n)} (0-based; reorders it): what {@code Arrays.sort} then
     * {@code a[k]} gave. Performance: this runs once per event over every source of the cluster, and the sort
     * was ~2 % of the analyzer's CPU in the bench profile; quickselect is O(n).
     */
    static long select(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            long pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k]; // between the two parts: equal to the pivot
            }
        }
        return a[k];
    }

    /**
     * Whether the source's watermark is believed: it is not when more than {@code maxFuture} ahead of the
     * settled clock (set before the clock settled, e.g. by a cluster's far-off first event). Then the
     * source's events are not judged late against it, and the next one applied replaces it.
     */
    private boolean trusted(Source s) {
        return s.watermark != NONE && (settled == NONE || s.watermark <= settled + maxFuture);
    }

    private boolean counts(Source o) {
        return o.lastSeq >= 0 && o.lastSeq >= idleMark && (settled == NONE || o.watermark >= settled - maxFuture);
    }

    private Source add(String id) {
        Source s = new Source(id);
        byId.put(id, s);
        sources.add(s);
        return s;
    }

    private static long[] ensure(long[] a, int size) {
        return size <= a.length ? a : Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    /** The cluster's clock in epoch millis, {@link Long#MIN_VALUE} before the first event. */
    public long now() {
        return now;
    }

    /** Forgets sources that do not count and whose watermark is before the horizon. */
    public void forget(long horizon) {
        sources.removeIf(o -> {
            boolean gone = !counts(o) && o.watermark < horizon;
            if (gone) {
                byId.remove(o.id);
            }
            return gone;
        });
    }

    /** Sources that count towards the clock now. */
    public int countingSources() {
        int n = 0;
        for (Source o : sources) {
            if (counts(o)) {
                n++;
            }
        }
        return n;
    }

    /** A duration as a person reads it: {@code 73y}, {@code 4d3h}, {@code 10m}, {@code 5m30s}, {@code 900ms}. */
    public static String human(long millis) {
        long ms = Math.abs(millis);
        String sign = millis < 0 ? "-" : "";
        long s = ms / 1000;
        if (s == 0) {
            return sign + ms + "ms";
        }
        long d = s / 86_400;
        if (d >= 365) {
            return sign + d / 365 + "y";
        }
        long h = s / 3600 % 24;
        long m = s / 60 % 60;
        long sec = s % 60;
        if (d > 0) {
            return sign + d + "d" + (h > 0 ? h + "h" : "");
        }
        if (h > 0) {
            return sign + h + "h" + (m > 0 ? m + "m" : "");
        }
        if (m > 0) {
            return sign + m + "m" + (sec > 0 ? sec + "s" : "");
        }
        return sign + sec + "s";
    }
}
