package io.fleetdoctor.collector.publish;

import io.fleetdoctor.events.CloudEvent;

/** Where signals go: Kafka in the service, stdout in {@code node-sample}. Never throws. */
public interface SignalSink {
    void publish(CloudEvent<?> event);
}
