package io.fleetdoctor.analyzer.window;

import io.fleetdoctor.playbook.ClusterView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the window keeps of one node: the newest inventory, the newest sample of a watched process,
 * a bounded ring of spike samples (only samples at or above the threshold, so old spikes stay
 * countable within the window without keeping every sample), and the marked lines of each
 * container's newest startup log.
 */
final class NodeState {
    private final long[] spikeTimes;
    private final double[] spikeRates;
    private final int[] spikePids;
    private final String[] spikeIds;
    private final String[] spikeProcs;
    private int spikeCount; // total ever written; ring index = n % capacity

    /** Newest event time (ms) of any signal about this node: idle eviction. */
    long lastSeen = Long.MIN_VALUE;
    ClusterView.Inventory inventory;
    ClusterView.IoSample lastIo;
    /** container → marked lines of its newest startup log. */
    final java.util.TreeMap<String, ClusterView.Log> startupLines = new java.util.TreeMap<>();

    NodeState(int ringCapacity) {
        spikeTimes = new long[ringCapacity];
        spikeRates = new double[ringCapacity];
        spikePids = new int[ringCapacity];
        spikeIds = new String[ringCapacity];
        spikeProcs = new String[ringCapacity];
    }

    /** Records a watched-process sample; returns false when a sample of that time was already seen. */
    boolean sample(long time, String signalId, String process, int pid, double rate, boolean spike) {
        if (lastIo != null && lastIo.time().toEpochMilli() == time && lastIo.process().equals(process)) {
            return false; // the same sample redelivered
        }
        if (lastIo == null || lastIo.time().toEpochMilli() <= time) {
            lastIo = new ClusterView.IoSample(signalId, Instant.ofEpochMilli(time), process, pid, rate);
        }
        if (spike) {
            int cap = spikeTimes.length;
            for (int k = 0; k < Math.min(spikeCount, cap); k++) {
                if (spikeTimes[k] == time && process.equals(spikeProcs[k])) {
                    return false;
                }
            }
            int i = spikeCount % cap;
            spikeTimes[i] = time;
            spikeRates[i] = rate;
            spikePids[i] = pid;
            spikeIds[i] = signalId;
            spikeProcs[i] = process;
            spikeCount++;
        }
        return true;
    }

    /** Spike samples in {@code (from, to]}, a sample stamped after {@code latest} taken as at {@code latest}. */
    List<ClusterView.IoSample> spikes(long from, long to, long latest) {
        int cap = spikeTimes.length;
        int n = Math.min(spikeCount, cap);
        List<ClusterView.IoSample> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int i = (spikeCount - n + k) % cap; // oldest written first
            long t = Math.min(spikeTimes[i], latest);
            if (t > from && t <= to) {
                out.add(new ClusterView.IoSample(spikeIds[i], Instant.ofEpochMilli(t), spikeProcs[i],
                        spikePids[i], spikeRates[i]));
            }
        }
        out.sort((a, b) -> a.time().compareTo(b.time()));
        return out;
    }
}
