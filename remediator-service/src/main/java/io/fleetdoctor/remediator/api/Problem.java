package io.fleetdoctor.remediator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(int status, String detail) {
        Response.Status s = Response.Status.fromStatusCode(status);
        String title = s == null ? "Error" : s.getReasonPhrase();
        return Response.status(status).type(MEDIA_TYPE).entity(new Problem("about:blank", title, status, detail, null)).build();
    }
}
