package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetdoctor.outbox.DeliveryResult;
import io.fleetdoctor.outbox.OutboxMessage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Slack's chat.postMessage with a bot token: the message goes to its channel, in the thread of its incident
 * (the ts of the incident's first delivered message); the first message starts the thread. Messages that ask
 * for a person (awaiting approval, failed, rolled back) are also shown in the channel (reply_broadcast).
 * Slack answers HTTP 200 with {"ok": false, "error": …} for most failures: errors a person can fix (token,
 * channel membership, scopes) keep the message for a retry; errors in the message itself reject it.
 */
final class BotSlackSender {
    /** Errors about the message: the same bytes will never be accepted. */
    static final Set<String> REJECT = Set.of("invalid_blocks", "invalid_blocks_format", "invalid_arguments",
            "msg_too_long", "no_text", "too_many_attachments", "invalid_json", "json_not_object");
    static final Set<String> BROADCAST = Set.of("awaiting_approval", "failed", "rolled_back");

    /** Where an incident's thread is kept. */
    interface Threads {
        Optional<String> find(String incidentId, String channel);

        void remember(String incidentId, String channel, String ts);
    }

    private final HttpClient client;
    private final URI postMessage;
    private final String token;
    private final Duration timeout;
    private final Threads threads;

    BotSlackSender(String apiUrl, String token, Duration timeout, Threads threads) {
        this.postMessage = URI.create(apiUrl.replaceAll("/+$", "") + "/chat.postMessage");
        this.token = token;
        this.timeout = timeout;
        this.threads = threads;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    DeliveryResult send(OutboxMessage m) {
        ObjectNode body;
        try {
            body = (ObjectNode) SlackRouting.JSON.readTree(m.payload());
        } catch (IOException | ClassCastException e) {
            return DeliveryResult.rejected(0, "payload is not a JSON object: " + e.getMessage());
        }
        String channel = body.path("channel").asText("");
        if (channel.isEmpty()) {
            // the channel is fixed when the row is stored: retrying the same bytes never succeeds (and a retry
            // would hold back every later message); dropped, logged and counted as rejected
            return DeliveryResult.rejected(0, "no Slack channel: set fleetdoctor.clusters.\"<id>\".slack-channel,"
                    + " fleetdoctor.notify.default-channel or fleetdoctor.notify.admin-channel");
        }
        String incident = "incident".equals(m.aggregateType()) ? m.aggregateId() : null;
        Optional<String> thread = incident == null ? Optional.empty() : threads.find(incident, channel);
        thread.ifPresent(ts -> {
            body.put("thread_ts", ts);
            if (BROADCAST.contains(m.eventType())) {
                body.put("reply_broadcast", true);
            }
        });
        HttpRequest request = HttpRequest.newBuilder(postMessage).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return DeliveryResult.retry(0, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.retry(0, null, "interrupted");
        }
        if (response.statusCode() != 200) {
            return WebhookSlackSender.classify(response.statusCode(), response.headers().firstValue("Retry-After"),
                    response.body());
        }
        JsonNode answer;
        try {
            answer = SlackRouting.JSON.readTree(response.body());
        } catch (IOException e) {
            return DeliveryResult.retry(200, null, "unreadable answer from chat.postMessage: " + e.getMessage());
        }
        if (!answer.path("ok").asBoolean(false)) {
            String error = answer.path("error").asText("unknown");
            return REJECT.contains(error) ? DeliveryResult.rejected(200, "chat.postMessage: " + error)
                    : DeliveryResult.retry(200, "ratelimited".equals(error)
                    ? response.headers().firstValue("Retry-After").map(WebhookSlackSender::parseRetryAfter).orElse(null)
                    : null, "chat.postMessage: " + error);
        }
        if (incident != null && thread.isEmpty() && answer.hasNonNull("ts")) {
            threads.remember(incident, channel, answer.path("ts").asText());
        }
        return DeliveryResult.delivered(200);
    }
}
