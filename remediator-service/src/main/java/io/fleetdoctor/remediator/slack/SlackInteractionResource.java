package io.fleetdoctor.remediator.slack;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Slack's interactivity request URL. No HTTP authentication: the request signature is the
 * authentication, so the raw body is taken as bytes and verified before anything is parsed.
 */
@Path("/slack/interactions")
public class SlackInteractionResource {

    @Inject
    SlackInteractionService service;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Slack button clicks (approve / reject a plan); signed by Slack")
    public SlackReply interact(@HeaderParam("X-Slack-Request-Timestamp") String timestamp,
                               @HeaderParam("X-Slack-Signature") String signature,
                               byte[] rawBody) {
        return service.handle(timestamp, signature, rawBody == null ? new byte[0] : rawBody);
    }
}
