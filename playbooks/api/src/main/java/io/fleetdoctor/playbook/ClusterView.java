package io.fleetdoctor.playbook;

import io.fleetdoctor.events.FlannelConfig;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.PodRestart;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * What a rule may read of one cluster's event-time window. Implemented by the window state; rules
 * never see Kafka, the database or the clock.
 */
public interface ClusterView {

    String cluster();

    /** Restart increases (never cumulative counts) with event time in {@code (from, to]}. */
    List<RestartIncrease> restartIncreases(Instant from, Instant to);

    /** Nodes known from any signal, sorted by name. */
    Collection<String> nodes();

    /** The newest interface inventory of a node, or null when none was received. */
    Inventory inventory(String node);

    /**
     * The lines holding one of the playbooks' {@link WindowNeeds#logMarkers() log markers} from the newest
     * startup (not previous) log of each container on the node, newest log first; empty when none.
     */
    List<Log> startupLines(String node);

    /** Samples of watched processes at or above the spike threshold, newest last, with time in {@code (from, to]}. */
    List<IoSample> ioSpikes(String node, Instant from, Instant to);

    /** The newest sample of a watched process on the node, or null. */
    IoSample lastIo(String node);

    /** The newest config of every flannel DaemonSet, sorted by namespace/name. */
    Collection<Config> flannelConfigs();

    /** Container log tails (previous or current) with event time in {@code (from, to]}. */
    List<Log> logs(Instant from, Instant to);

    /** An increase of a container's restartCount between two observations. */
    record RestartIncrease(String signalId, Instant time, String pod, String container, String node,
                           String component, int from, int to, PodRestart.LastTermination termination) {
        public int increase() {
            return to - from;
        }
    }

    /** One sample of a watched process. */
    record IoSample(String signalId, Instant time, String process, int pid, double bytesPerSec) {
    }

    record Inventory(String signalId, Instant time, NodeInterfaces interfaces) {
    }

    record Config(String signalId, Instant time, FlannelConfig config) {
    }

    record Log(String signalId, Instant time, String pod, String container, String node, boolean previous,
               List<String> lines) {
    }
}
