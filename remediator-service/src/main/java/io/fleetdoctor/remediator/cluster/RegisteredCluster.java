package io.fleetdoctor.remediator.cluster;

import java.util.List;

/**
 * One cluster of the registry.
 *
 * @param context    kubeconfig context, or null
 * @param kubeconfig kubeconfig file, or null; with neither, the service's own client (in-cluster service
 *                   account or the current context of {@code KUBECONFIG})
 * @param clusterClass approval class, or null (the policy's mapping then applies)
 */
public record RegisteredCluster(String id, String context, String kubeconfig, String clusterClass, List<String> owners,
                                String slackChannel) {
    public RegisteredCluster {
        owners = owners == null ? List.of() : List.copyOf(owners);
    }

    /** How the remediator reaches it, for people (never the file's content). */
    public String access() {
        if (kubeconfig != null) {
            return "kubeconfig " + kubeconfig + (context == null ? "" : " context " + context);
        }
        return context != null ? "context " + context : "the service's own client";
    }
}
