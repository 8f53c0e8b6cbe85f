package io.fleetdoctor.remediator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fleetdoctor.remediator.approval.ApprovalRefusedException;
import io.fleetdoctor.remediator.plan.IllegalTransitionException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.hibernate.StaleObjectStateException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every REST error as application/problem+json. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response refused(ApprovalRefusedException e) {
        return Problem.response(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response illegal(IllegalTransitionException e) {
        return Problem.response(409, e.getMessage());
    }

    @ServerExceptionMapper({OptimisticLockException.class, StaleObjectStateException.class})
    public Response conflict(Exception e) {
        return Problem.response(409, "the plan changed concurrently; read it again and retry");
    }

    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return Problem.response(403, "your roles do not allow this");
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Problem.response(400, "malformed JSON body: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getResponse().hasEntity() && e.getResponse().getMediaType() != null
                && Problem.MEDIA_TYPE.equals(e.getResponse().getMediaType().toString())) {
            return e.getResponse();
        }
        return Problem.response(status, e.getMessage());
    }
}
