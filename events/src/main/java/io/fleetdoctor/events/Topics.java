package io.fleetdoctor.events;

/** Kafka topic names of DESIGN.md. Every record is keyed by cluster id. */
public final class Topics {
    public static final String SIGNALS = "fleetdoctor.signals";
    public static final String SIGNALS_DLQ = "fleetdoctor.signals.dlq";
    public static final String DECISIONS = "fleetdoctor.decisions";
    public static final String REMEDIATIONS = "fleetdoctor.remediations";
    /** Header on a DLQ record that says why the record was rejected. */
    public static final String DLQ_REASON_HEADER = "dead-letter-reason";

    private Topics() {
    }
}
