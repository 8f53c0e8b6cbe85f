package io.fleetdoctor.events;

import java.util.HashMap;
import java.util.Map;

/** Every CloudEvent type of the contract, with the record its {@code data} decodes to. */
public enum EventType {
    POD_RESTART("io.fleetdoctor.signal.pod-restart.v1", PodRestart.class),
    CONTAINER_LOG("io.fleetdoctor.signal.container-log.v1", ContainerLog.class),
    PROCESS_IO("io.fleetdoctor.signal.process-io.v1", ProcessIo.class),
    NODE_INTERFACES("io.fleetdoctor.signal.node-interfaces.v1", NodeInterfaces.class),
    FLANNEL_CONFIG("io.fleetdoctor.signal.flannel-config.v1", FlannelConfig.class),
    HEARTBEAT("io.fleetdoctor.signal.heartbeat.v1", Heartbeat.class),
    DECISION("io.fleetdoctor.decision.v1", Decision.class),
    REMEDIATION("io.fleetdoctor.remediation.v1", Remediation.class);

    private static final Map<String, EventType> BY_ID = new HashMap<>();
    private static final Map<Class<?>, EventType> BY_CLASS = new HashMap<>();

    static {
        for (EventType t : values()) {
            BY_ID.put(t.id, t);
            BY_CLASS.put(t.dataClass, t);
        }
    }

    private final String id;
    private final Class<? extends EventData> dataClass;

    EventType(String id, Class<? extends EventData> dataClass) {
        this.id = id;
        this.dataClass = dataClass;
    }

    /** The CloudEvents {@code type} attribute. */
    public String id() {
        return id;
    }

    public Class<? extends EventData> dataClass() {
        return dataClass;
    }

    /** True for the types collectors publish to {@code fleetdoctor.signals}. */
    public boolean isSignal() {
        return id.startsWith("io.fleetdoctor.signal.");
    }

    /** The type with this id, or null. */
    public static EventType byId(String id) {
        return BY_ID.get(id);
    }

    public static EventType of(EventData data) {
        return BY_CLASS.get(data.getClass());
    }
}
