package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.DeliveryResult;
import io.fleetdoctor.outbox.OutboxMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bot token mode: a message stored without a channel is rejected (dead, counted), not retried forever. */
class BotSlackSenderTest {
    @Test
    void aMessageWithoutAChannelIsRejected() {
        BotSlackSender bot = new BotSlackSender("http://127.0.0.1:9", "xoxb-t", Duration.ofSeconds(1),
                new BotSlackSender.Threads() {
                    @Override
                    public Optional<String> find(String incidentId, String channel) {
                        return Optional.empty();
                    }

                    @Override
                    public void remember(String incidentId, String channel, String ts) {
                    }
                });
        DeliveryResult r = bot.send(new OutboxMessage(UUID.randomUUID(), 1, "slack", "storm", "s-1", "storm_paused",
                "k", null, "{\"text\":\"storm\"}", 1));
        assertEquals(DeliveryResult.Outcome.REJECTED, r.outcome());
        assertTrue(r.error().contains("admin-channel"), r.error());
    }
}
