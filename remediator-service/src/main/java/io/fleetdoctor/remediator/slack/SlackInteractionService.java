package io.fleetdoctor.remediator.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.remediator.approval.ApprovalGate;
import io.fleetdoctor.remediator.approval.ApprovalRefusedException;
import io.fleetdoctor.remediator.approval.Approver;
import io.fleetdoctor.outbox.Outbox;
import io.fleetdoctor.outbox.OutboxEvent;
import io.fleetdoctor.remediator.notify.SlackMessages;
import io.fleetdoctor.remediator.notify.SlackOutboxSender;
import io.fleetdoctor.remediator.plan.PlanState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.UUID;

/**
 * Verifies a Slack interaction, maps the Slack user to an approver and hands the click to the
 * {@link ApprovalGate}, the same gate REST uses, so the same policy applies. Policy refusals are
 * answered with 200 and a short text, because Slack shows nothing useful for an error status.
 */
@ApplicationScoped
public class SlackInteractionService {
    private static final Logger LOG = Logger.getLogger(SlackInteractionService.class);
    static final String CHANNEL = "slack";

    @Inject
    SlackConfig config;

    @Inject
    ObjectMapper mapper;

    /** Instance, not a plain injection: the module starts (and refuses with 503) without a gate. */
    @Inject
    Instance<ApprovalGate> gate;

    @Inject
    Outbox outbox;

    @Inject
    SlackReplayGuard replays;

    Clock clock = Clock.systemUTC();

    public SlackReply handle(String timestamp, String signature, byte[] rawBody) {
        SlackSignature.Verdict verdict = SlackSignature.verify(config.signingSecret().orElse(null), timestamp,
                signature, rawBody, clock.instant(), config.timestampTolerance());
        switch (verdict) {
            case VALID:
                break;
            case STALE:
                throw new SlackInteractionException(401, "Unauthorized",
                        "X-Slack-Request-Timestamp is missing, malformed or outside the allowed window");
            case MISSING:
                throw new SlackInteractionException(401, "Unauthorized",
                        "the request is not signed, or no Slack signing secret is configured");
            default:
                LOG.warn("refused a Slack interaction with a wrong signature");
                throw new SlackInteractionException(401, "Unauthorized", "X-Slack-Signature does not match");
        }
        if (!replays.firstUse(signature.trim(), clock.instant(), config.timestampTolerance())) {
            LOG.warn("refused a replayed Slack interaction (signature already used)");
            throw new SlackInteractionException(401, "Unauthorized",
                    "this signed request was already handled; a replayed request is refused");
        }
        JsonNode payload = payload(rawBody);
        String type = payload.path("type").asText();
        JsonNode action = payload.path("actions").path(0);
        if (!"block_actions".equals(type) || action.isMissingNode()) {
            throw new SlackInteractionException(400, "Bad Request", "expected a block_actions payload");
        }
        String actionId = action.path("action_id").asText();
        String value = action.path("value").asText(null);
        int sep = value == null ? -1 : value.indexOf(SlackMessages.VALUE_SEPARATOR);
        String planId = sep < 0 ? value : value.substring(0, sep);
        // buttons carry "<planId>:<planHash>"; a button without a hash is refused by the gate (400)
        String planHash = sep < 0 ? null : value.substring(sep + 1);
        if ("fleetdoctor.open".equals(actionId)) {
            return SlackReply.ephemeral("Opening the plan page.");
        }
        if (planId == null || planId.isBlank()
                || !(SlackMessages.ACTION_APPROVE.equals(actionId) || SlackMessages.ACTION_REJECT.equals(actionId))) {
            throw new SlackInteractionException(400, "Bad Request", "unknown action " + actionId);
        }
        SlackReply reply = decide(payload.path("user").path("id").asText(), actionId, planId, planHash);
        replyInSlack(payload.path("response_url").asText(null), planId, reply);
        return reply;
    }

    private SlackReply decide(String slackUser, String actionId, String planId, String planHash) {
        SlackConfig.User user = config.users().get(slackUser);
        if (user == null) {
            LOG.warnf("Slack user %s tried %s on plan %s but is not mapped to an approver", slackUser, actionId,
                    planId);
            return SlackReply.ephemeral("You are not mapped to a fleetdoctor approver; ask an admin to add your "
                    + "Slack user id " + slackUser + ".");
        }
        if (!gate.isResolvable()) {
            throw new SlackInteractionException(503, "Service Unavailable", "approvals are not available");
        }
        Approver who = new Approver(user.name(), new LinkedHashSet<>(user.roles()));
        try {
            if (SlackMessages.ACTION_APPROVE.equals(actionId)) {
                PlanState after = gate.get().approve(planId, who, "approved in Slack", null, planHash, CHANNEL);
                return SlackReply.ephemeral(after == PlanState.PENDING_APPROVAL
                        ? "Your approval of plan " + planId + " is recorded; more approvals are needed."
                        : after == PlanState.SOURCE_CHANGE_PROPOSED
                        ? "Plan " + planId + " approved by " + who.name() + " as a source change: apply it at its source "
                        + "(nothing is written to the cluster)."
                        : "Plan " + planId + " approved by " + who.name() + " (now " + after + ").");
            }
            PlanState after = gate.get().reject(planId, who, "rejected in Slack by " + who.name(), CHANNEL);
            return SlackReply.ephemeral("Plan " + planId + " rejected by " + who.name() + " (now " + after + ").");
        } catch (ApprovalRefusedException e) {
            return SlackReply.ephemeral("Refused: " + e.getMessage());
        } catch (RuntimeException e) {
            // Slack shows a bare error for a 500; the clicker should know the click did not count
            LOG.errorf(e, "Slack %s of plan %s by %s failed", actionId, planId, who.name());
            return SlackReply.ephemeral("Your click on plan " + planId + " was not recorded because of an "
                    + "internal error; use the plan page or try again.");
        }
    }

    /**
     * Slack ignores the body of the answer to a button click; what the clicker sees is posted to the
     * interaction's response_url. That goes through the outbox too, so a slow Slack never delays
     * the 3-second acknowledgement.
     */
    private void replyInSlack(String responseUrl, String planId, SlackReply reply) {
        if (responseUrl == null || responseUrl.isBlank()) {
            return;
        }
        if (!responseUrl.startsWith(config.responseUrlPrefix())) {
            LOG.warnf("not replying to response_url outside %s", config.responseUrlPrefix());
            return;
        }
        try {
            // its own aggregate: a reply never waits behind the plan's channel messages
            outbox.emit(OutboxEvent.of(SlackOutboxSender.DESTINATION, "slack-interaction", planId,
                    "interaction_reply", "reply|" + UUID.randomUUID(), mapper.writeValueAsString(reply))
                    .withTarget(responseUrl));
        } catch (JsonProcessingException | RuntimeException e) {
            // the approval itself is done; only the courtesy reply is lost
            LOG.warnf("cannot queue the Slack reply for plan %s: %s", planId, e.getMessage());
        }
    }

    private JsonNode payload(byte[] rawBody) {
        String form = new String(rawBody, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && "payload".equals(pair.substring(0, eq))) {
                try {
                    return mapper.readTree(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IOException | IllegalArgumentException e) {
                    throw new SlackInteractionException(400, "Bad Request", "payload is not JSON");
                }
            }
        }
        throw new SlackInteractionException(400, "Bad Request", "form field payload is missing");
    }
}
