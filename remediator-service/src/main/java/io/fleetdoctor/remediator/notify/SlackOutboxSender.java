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

    @Inject
    jakarta.persistence.EntityManager em;

    private SlackSender sender;
    /** chat.postMessage with the bot token, or null (webhook mode). */
    private BotSlackSender bot;
    /** For rows with their own target: always real HTTP. */
    private WebhookSlackSender targetSender;

    @PostConstruct
    void init() {
        sender = config.webhookUrl().filter(u -> !u.isBlank())
                .<SlackSender>map(u -> new WebhookSlackSender(u, config.httpTimeout()))
                .orElseGet(LogSlackSender::new);
        targetSender = new WebhookSlackSender(null, config.httpTimeout());
        bot = config.botToken().filter(t -> !t.isBlank())
                .map(t -> new BotSlackSender(config.apiUrl(), t, config.httpTimeout(), new DbThreads())).orElse(null);
        LOG.infof("Slack notifications go to %s", bot != null
                ? "chat.postMessage (bot token): each cluster's channel, one thread per incident"
                : sender instanceof WebhookSlackSender
                ? "the configured incoming webhook" : "the log (fleetdoctor.notify.webhook-url is not set)");
    }

    @Override
    public String destination() {
        return DESTINATION;
    }

    @Override
    public DeliveryResult send(OutboxMessage m) {
        if (m.target() != null) {
            return targetSender.send(URI.create(m.target()), m.payload());
        }
        return bot != null ? bot.send(m) : sender.send(m.payload());
    }

    @Override
    public DeliveryPolicy policy(DeliveryPolicy defaults) {
        return new DeliveryPolicy(config.batchSize(), config.lease(),
                new Backoff(config.backoff().initial(), config.backoff().multiplier(), config.backoff().max()),
                config.maxRetryAfter(), config.httpTimeout(), "fleetdoctor.notify");
    }

    /** Incident threads in remediator.slack_thread; the first ts stored for an incident and channel wins. */
    private final class DbThreads implements BotSlackSender.Threads {
        @Override
        public java.util.Optional<String> find(String incidentId, String channel) {
            return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                            "SELECT ts FROM remediator.slack_thread WHERE incident_id = ?1 AND channel = ?2")
                    .setParameter(1, incidentId).setParameter(2, channel).getResultList().stream()
                    .map(String.class::cast).findFirst());
        }

        @Override
        public void remember(String incidentId, String channel, String ts) {
            io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                            "INSERT INTO remediator.slack_thread (incident_id, channel, ts) VALUES (?1, ?2, ?3)"
                                    + " ON CONFLICT DO NOTHING")
                    .setParameter(1, incidentId).setParameter(2, channel).setParameter(3, ts).executeUpdate());
        }
    }
}
