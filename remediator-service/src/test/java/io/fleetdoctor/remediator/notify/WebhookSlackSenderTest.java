package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.DeliveryResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSlackSenderTest {
    @Test
    void classifiesSlackAnswers() {
        Object[][] cases = {
                {200, null, DeliveryResult.Outcome.DELIVERED},
                {429, "30", DeliveryResult.Outcome.RETRY},
                {500, null, DeliveryResult.Outcome.RETRY},
                {503, null, DeliveryResult.Outcome.RETRY},
                {403, null, DeliveryResult.Outcome.RETRY},   // invalid_token: fixable by config, keep the message
                {404, null, DeliveryResult.Outcome.RETRY},   // no_service
                {400, null, DeliveryResult.Outcome.REJECTED}, // invalid_payload / invalid_blocks
        };
        for (Object[] c : cases) {
            DeliveryResult r = WebhookSlackSender.classify((int) c[0], Optional.ofNullable((String) c[1]), "x");
            assertEquals(c[2], r.outcome(), "status " + c[0]);
        }
        assertEquals(Duration.ofSeconds(30),
                WebhookSlackSender.classify(429, Optional.of("30"), "rate_limited").retryAfter());
    }

    @Test
    void parsesRetryAfterSecondsAndHttpDate() {
        assertEquals(Duration.ofSeconds(1), WebhookSlackSender.parseRetryAfter("1"));
        assertEquals(Duration.ZERO, WebhookSlackSender.parseRetryAfter(" 0 "));
        assertNull(WebhookSlackSender.parseRetryAfter("-5"));
        assertNull(WebhookSlackSender.parseRetryAfter("soon"));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(120));
        Duration d = WebhookSlackSender.parseRetryAfter(date);
        assertTrue(d.getSeconds() > 100 && d.getSeconds() <= 120, d.toString());
        assertEquals(Duration.ZERO, WebhookSlackSender.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    }
}
