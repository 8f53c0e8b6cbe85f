package io.fleetdoctor.events;

/**
 * The {@code data} of a fleetdoctor CloudEvent. Each implementation is one event type of
 * {@code docs/contract/EVENTS.md}; {@link EventType} maps type strings to them.
 */
public sealed interface EventData
        permits PodRestart, ContainerLog, ProcessIo, NodeInterfaces, FlannelConfig, Heartbeat,
        Decision, Remediation {
}
