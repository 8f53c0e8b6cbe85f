package io.fleetdoctor.events;

import java.util.List;

/**
 * {@code io.fleetdoctor.signal.process-io.v1}: one node's disk IO per process over one sampling interval.
 */
public record ProcessIo(String node, double intervalSeconds, List<Process> processes) implements EventData {

    public ProcessIo {
        processes = List.copyOf(processes);
    }

    /** Rates are bytes per second from {@code read_bytes} / {@code write_bytes} deltas. */
    public record Process(int pid, String name, double readBytesPerSec, double writeBytesPerSec) {
        public double totalBytesPerSec() {
            return readBytesPerSec + writeBytesPerSec;
        }
    }
}
