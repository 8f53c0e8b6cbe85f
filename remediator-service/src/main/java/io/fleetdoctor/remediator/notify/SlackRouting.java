package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.cluster.RegisteredCluster;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Which Slack channel a cluster's messages go to: the registry's slack-channel, else
 * {@code fleetdoctor.notify.default-channel}. The channel is written into the message when it is stored, so a
 * registry change later does not move messages already waiting.
 */
@ApplicationScoped
public class SlackRouting {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ClusterRegistry registry;
    @Inject
    NotifyConfig config;

    public String channelOf(String cluster) {
        String own = cluster == null ? null
                : registry.find(cluster).map(RegisteredCluster::slackChannel).filter(c -> c != null && !c.isBlank())
                .orElse(null);
        return own != null ? own : config.defaultChannel().filter(c -> !c.isBlank()).orElse(null);
    }

    /** {@code admin-channel}, else the default channel, else null. */
    public String adminChannel() {
        return config.adminChannel().filter(c -> !c.isBlank()).orElseGet(() -> channelOf(null));
    }

    /** The message with its channel set (when the cluster has one). */
    public SlackMessage routed(String cluster, SlackMessage m) {
        return to(channelOf(cluster), m);
    }

    /** The message with this channel set (unchanged when null). */
    public SlackMessage to(String channel, SlackMessage m) {
        if (channel == null) {
            return m;
        }
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(m.json());
            body.put("channel", channel);
            return new SlackMessage(m.kind(), body.toString());
        } catch (java.io.IOException | ClassCastException e) {
            return m;
        }
    }
}
