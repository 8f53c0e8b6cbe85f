package io.fleetdoctor.remediator.notify;

import io.fleetdoctor.outbox.DeliveryResult;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** POSTs messages to a Slack incoming webhook with java.net.http and classifies the answer. */
public final class WebhookSlackSender implements SlackSender {
    private final HttpClient client;
    private final URI url;
    private final Duration timeout;

    /** @param url the incoming webhook, or null when only explicit targets are used */
    public WebhookSlackSender(String url, Duration timeout) {
        this.url = url == null ? null : URI.create(url);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public DeliveryResult send(String json) {
        return send(url, json);
    }

    /** POSTs to another Slack URL, e.g. the response_url of an interaction. */
    public DeliveryResult send(URI target, String json) {
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return DeliveryResult.retry(0, null, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.retry(0, null, "interrupted");
        }
        return classify(response.statusCode(), response.headers().firstValue("Retry-After"), response.body());
    }

    static DeliveryResult classify(int status, Optional<String> retryAfterHeader, String body) {
        if (status >= 200 && status < 300) {
            return DeliveryResult.delivered(status);
        }
        String error = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
        if (status == 400) {
            // invalid_payload / invalid_blocks and friends: the same bytes will never be accepted
            return DeliveryResult.rejected(status, error);
        }
        // 429 rate limited, 5xx, and 403/404/410 (revoked or misconfigured webhook: fixable, so keep the message)
        return DeliveryResult.retry(status, retryAfterHeader.map(WebhookSlackSender::parseRetryAfter).orElse(null), error);
    }

    /** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when unparsable. */
    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
