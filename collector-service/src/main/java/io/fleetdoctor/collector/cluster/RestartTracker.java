package io.fleetdoctor.collector.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last {@code restartCount} sent per container (pod uid + container name). An informer re-list
 * (after a watch error or 410 Gone) or a resync re-delivers every pod; only a count different from the
 * one already sent produces a signal, so re-lists neither lose an increase that happened during the
 * gap nor duplicate one that was already sent.
 */
public final class RestartTracker {

    /** What a status observation means. */
    public enum Change {
        /** Same count as already sent: nothing to do. */
        NONE,
        /** First time this container is seen: send the baseline. */
        BASELINE,
        /** The count went up: a restart happened, fetch the previous log. */
        INCREASE,
        /** The count went down (container state reset): send as a new baseline. */
        RESET
    }

    private final Map<String, Integer> lastSent = new ConcurrentHashMap<>();

    public Change observe(String podUid, String container, int restartCount) {
        Integer before = lastSent.put(podUid + "/" + container, restartCount);
        if (before == null) {
            return Change.BASELINE;
        }
        if (before == restartCount) {
            return Change.NONE;
        }
        return restartCount > before ? Change.INCREASE : Change.RESET;
    }

    /** Forget a deleted pod's containers. */
    public void forget(String podUid) {
        String prefix = podUid + "/";
        lastSent.keySet().removeIf(k -> k.startsWith(prefix));
    }

    public int size() {
        return lastSent.size();
    }
}
