package io.fleetdoctor.events;

import java.util.List;

/** {@code io.fleetdoctor.decision.v1}: an incident opened, updated or resolved by the analyzer. */
public record Decision(String incidentId, String rule, String status, String severity, double confidence,
                       String summary, List<Evidence> evidence, Recommendation recommendation)
        implements EventData {

    public static final String OPEN = "open";
    public static final String UPDATED = "updated";
    public static final String RESOLVED = "resolved";

    public Decision {
        evidence = List.copyOf(evidence);
    }

    /** One fact and the signal it came from. */
    public record Evidence(String signalId, String type, String node, String fact) {
    }

    /**
     * For {@code flannel-iface}: {@code action} is {@code flannel-iface-fix}; {@code targetImage} null
     * means keep the image; {@code iface} may be empty when no single choice is known; {@code bindingOk}
     * (added) true means flannel already uses the right interface and only the image changes.
     */
    public record Recommendation(String action, String namespace, List<String> daemonSets, String container,
                                 String currentImage, String targetImage, List<String> iface, String ifaceRegex,
                                 List<String> nodesWithoutInventory, boolean bindingOk) {
        public static final String FLANNEL_IFACE_FIX = "flannel-iface-fix";

        public Recommendation {
            daemonSets = List.copyOf(daemonSets);
            iface = List.copyOf(iface);
            nodesWithoutInventory = List.copyOf(nodesWithoutInventory);
        }

        /** As decided before {@code bindingOk} was added. */
        public Recommendation(String action, String namespace, List<String> daemonSets, String container,
                              String currentImage, String targetImage, List<String> iface, String ifaceRegex,
                              List<String> nodesWithoutInventory) {
            this(action, namespace, daemonSets, container, currentImage, targetImage, iface, ifaceRegex,
                    nodesWithoutInventory, false);
        }
    }
}
