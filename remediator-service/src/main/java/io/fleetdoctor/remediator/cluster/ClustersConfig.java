package io.fleetdoctor.remediator.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster registry {@code fleetdoctor.clusters."<id>".*}: the only clusters the remediator reads or writes.
 * A cluster id that is not here gets a refused plan, never a default client.
 */
@ConfigMapping(prefix = "fleetdoctor.clusters")
public interface ClustersConfig {

    @WithParentName
    Map<String, Entry> clusters();

    interface Entry {
        /**
         * The cluster id when the key cannot spell it: an environment variable's key has no '-'
         * ({@code FLEETDOCTOR_CLUSTERS__PROD_EU_1__ID=prod-eu-1}).
         */
        Optional<String> id();

        /** Context of the kubeconfig the process sees ({@code KUBECONFIG} / ~/.kube/config). */
        Optional<String> context();

        /** Path of a kubeconfig file for this cluster alone (e.g. a mounted Secret); its current context is used. */
        Optional<String> kubeconfig();

        /** Approval class (e.g. {@code prod}); else {@code fleetdoctor.remediator.policy.cluster-class}. */
        @WithName("class")
        Optional<String> clusterClass();

        /** People or teams responsible for the cluster. */
        Optional<List<String>> owners();

        /** Slack channel for the cluster's plans, e.g. {@code #team-net}. */
        Optional<String> slackChannel();
    }
}
