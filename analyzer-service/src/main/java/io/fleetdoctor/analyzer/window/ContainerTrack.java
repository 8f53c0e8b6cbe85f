package io.fleetdoctor.analyzer.window;

import io.fleetdoctor.playbook.ClusterView.RestartIncrease;
import io.fleetdoctor.events.PodRestart;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Restart observations of one container, sorted by event time. The first observation is the
 * baseline; a lower count than the previous one (pod recreated) starts a new baseline, never a
 * negative increase. Old observations are pruned but the newest one before the horizon stays as
 * the baseline.
 */
final class ContainerTrack {
    private record Obs(long time, int count, String signalId, PodRestart.LastTermination termination) {
    }

    private final String pod;
    private final String container;
    private final String component;
    private String node;
    private final List<Obs> observations = new ArrayList<>(4);

    ContainerTrack(PodRestart p) {
        this.pod = p.pod();
        this.container = p.container();
        this.component = p.component();
        this.node = p.node();
    }

    void observe(long time, PodRestart p, String signalId) {
        node = p.node();
        Obs o = new Obs(time, p.restartCount(), signalId, p.lastTermination());
        int i = observations.size();
        while (i > 0 && observations.get(i - 1).time > time) {
            i--; // a late event goes where its event time says
        }
        observations.add(i, o);
    }

    /** Increases in {@code (from, to]}, one observed after {@code latest} taken as at {@code latest}. */
    void addIncreases(long from, long to, long latest, List<RestartIncrease> out) {
        for (int i = 1; i < observations.size(); i++) {
            Obs prev = observations.get(i - 1);
            Obs cur = observations.get(i);
            long t = Math.min(cur.time, latest);
            if (cur.count > prev.count && t > from && t <= to) {
                out.add(new RestartIncrease(cur.signalId, Instant.ofEpochMilli(t), pod, container, node,
                        component, prev.count, cur.count, cur.termination));
            }
        }
    }

    /** Drops observations older than the horizon, keeping the newest of them as the baseline. */
    void prune(long horizon) {
        int drop = 0;
        while (drop + 1 < observations.size() && observations.get(drop + 1).time <= horizon) {
            drop++;
        }
        if (drop > 0) {
            observations.subList(0, drop).clear();
        }
    }

    int size() {
        return observations.size();
    }

    /** Event time of the newest observation. */
    long newest() {
        return observations.isEmpty() ? Long.MIN_VALUE : observations.get(observations.size() - 1).time;
    }

    String node() {
        return node;
    }
}
