package io.fleetdoctor.collector.cluster;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The contract every record on {@code fleetdoctor.signals} must keep, checked as the tests read it. */
public final class SignalRecord {
    private SignalRecord() {
    }

    /** The record's event, after asserting its key is the cluster id and its header the CloudEvents type. */
    public static CloudEvent<?> checked(ConsumerRecord<String, byte[]> r) {
        CloudEvent<?> e = EventCodec.decode(r.value());
        assertEquals(e.cluster(), r.key(), "record key is the cluster id");
        Header ct = r.headers().lastHeader("content-type");
        assertEquals(CloudEvent.CONTENT_TYPE, ct == null ? null : new String(ct.value(), StandardCharsets.UTF_8));
        return e;
    }
}
