package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.Backoff;
import io.fleetdoctor.outbox.DeliveryPolicy;
import io.fleetdoctor.outbox.DeliveryResult;
import io.fleetdoctor.outbox.OutboxMessage;
import io.fleetdoctor.outbox.OutboxSender;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;

/**
 * The outbox's way to Slack: POSTs a message to the incoming webhook, or to the message's own
 * target (an interaction's response_url), and classifies the answer. Slack's pace (batch, backoff,
 * lease, Retry-After cap) comes from {@code fleetdoctor.notify.*}, and its metrics keep the
 * {@code fleetdoctor.notify} names.
 */
@ApplicationScoped
public class SlackOutboxSender implements OutboxSender {
    private static final Logger LOG = Logger.getLogger(SlackOutboxSender.class);
    public static final String DESTINATION = "slack";

    @Inject
    NotifyConfig config;

    private SlackSender sender;
    /** For rows with their own target: always real HTTP. */
    private WebhookSlackSender targetSender;

    @PostConstruct
    void init() {
        sender = config.webhookUrl().filter(u -> !u.isBlank())
                .<SlackSender>map(u -> new WebhookSlackSender(u, config.httpTimeout()))
                .orElseGet(LogSlackSender::new);
        targetSender = new WebhookSlackSender(null, config.httpTimeout());
        LOG.infof("Slack notifications go to %s", sender instanceof WebhookSlackSender
                ? "the configured incoming webhook" : "the log (fleetdoctor.notify.webhook-url is not set)");
    }

    @Override
    public String destination() {
        return DESTINATION;
    }

    @Override
    public DeliveryResult send(OutboxMessage m) {
        return m.target() == null ? sender.send(m.payload()) : targetSender.send(URI.create(m.target()), m.payload());
    }

    @Override
    public DeliveryPolicy policy(DeliveryPolicy defaults) {
        return new DeliveryPolicy(config.batchSize(), config.lease(),
                new Backoff(config.backoff().initial(), config.backoff().multiplier(), config.backoff().max()),
                config.maxRetryAfter(), config.httpTimeout(), "fleetdoctor.notify");
    }
}
