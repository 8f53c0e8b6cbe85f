package io.fleetdoctor.remediator.api;

import jakarta.ws.rs.core.HttpHeaders;

/**
 * The channel an action is recorded with: {@code page} when the approvals page sent it (it adds
 * {@value #HEADER}: page), {@code rest} for every other API client. A label for people reading the history and
 * the audit, not a security boundary: any signed-in client could send the header, and the user is what counts.
 */
final class ClientChannel {
    static final String HEADER = "X-Fleetdoctor-Client";

    private ClientChannel() {
    }

    static String of(HttpHeaders headers) {
        String v = headers == null ? null : headers.getHeaderString(HEADER);
        return "page".equals(v) ? "page" : "rest";
    }
}
