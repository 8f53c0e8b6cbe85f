package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.DeliveryResult;

/** Hands one Slack message (JSON body of an incoming-webhook call) to its destination. */
public interface SlackSender {
    DeliveryResult send(String json);
}
