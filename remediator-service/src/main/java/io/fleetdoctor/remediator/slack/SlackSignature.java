package io.fleetdoctor.remediator.slack;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * {@code X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + rawBody))},
 * and {@code X-Slack-Request-Timestamp} within a window of now. Pure: the clock is a parameter.
 */
public final class SlackSignature {

    public enum Verdict { VALID, MISSING, STALE, FORGED }

    private SlackSignature() {
    }

    public static Verdict verify(String secret, String timestamp, String signature, byte[] rawBody, Instant now,
                                 Duration tolerance) {
        if (secret == null || secret.isEmpty() || timestamp == null || signature == null) {
            return Verdict.MISSING;
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Verdict.STALE;
        }
        if (Math.abs(now.getEpochSecond() - ts) > tolerance.toSeconds()) {
            return Verdict.STALE;
        }
        byte[] expected = sign(secret, timestamp.trim(), rawBody).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature.trim().getBytes(StandardCharsets.US_ASCII);
        // constant time: the comparison must not reveal how many leading bytes matched
        return MessageDigest.isEqual(expected, given) ? Verdict.VALID : Verdict.FORGED;
    }

    /** The signature Slack would send for this body; public so tests and tools can sign requests. */
    public static String sign(String secret, String timestamp, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            mac.update(rawBody);
            return "v0=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
