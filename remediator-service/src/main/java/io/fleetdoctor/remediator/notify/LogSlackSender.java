package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.DeliveryResult;
import org.jboss.logging.Logger;

/** Local sink used when no webhook URL is configured: the message is logged and counts as delivered. */
public final class LogSlackSender implements SlackSender {
    private static final Logger LOG = Logger.getLogger("io.fleetdoctor.remediator.notify.slack-sink");

    @Override
    public DeliveryResult send(String json) {
        LOG.infof("Slack message (no webhook configured, logged only): %s", json);
        return DeliveryResult.delivered(200);
    }
}
