package io.fleetdoctor.remediator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.MediaType;

/**
 * State changes take JSON only: {@code @Consumes} lets a request without Content-Type through, so the header is
 * checked here (a cross-site form or simple request cannot send it without a CORS preflight, which this service
 * never grants), and the body, if any, must be a JSON object (a bad one is a 400 problem like every other).
 */
final class JsonOnly {
    private JsonOnly() {
    }

    /** The body as a JSON object ({} when empty). */
    static JsonNode body(ObjectMapper json, String contentType, String body) {
        MediaType type;
        try {
            type = contentType == null ? null : MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type == null || !MediaType.APPLICATION_JSON_TYPE.isCompatible(type)) {
            throw new NotSupportedException("state-changing requests take Content-Type application/json");
        }
        if (body == null || body.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("malformed JSON body: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw new BadRequestException("the body must be a JSON object");
        }
        return node;
    }
}
