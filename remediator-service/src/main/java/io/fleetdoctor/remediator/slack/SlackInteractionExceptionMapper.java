package io.fleetdoctor.remediator.slack;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Answers a refused Slack interaction with problem+json. */
@Provider
public class SlackInteractionExceptionMapper implements ExceptionMapper<SlackInteractionException> {
    @Override
    public Response toResponse(SlackInteractionException e) {
        return Problem.response(e.status(), e.title(), e.getMessage());
    }
}
