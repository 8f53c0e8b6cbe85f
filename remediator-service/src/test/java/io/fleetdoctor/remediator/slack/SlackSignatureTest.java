package io.fleetdoctor.remediator.slack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SlackSignatureTest {
    // the worked example of Slack's "Verifying requests from Slack" documentation
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String TS = "1531420618";
    private static final byte[] BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
            + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
            + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
            .getBytes(StandardCharsets.UTF_8);
    private static final String SIG = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static final Instant AT = Instant.ofEpochSecond(1531420618);
    private static final Duration FIVE_MIN = Duration.ofMinutes(5);

    @Test
    void slacksDocumentedExampleVerifies() {
        assertEquals(SIG, SlackSignature.sign(SECRET, TS, BODY));
        assertEquals(SlackSignature.Verdict.VALID, SlackSignature.verify(SECRET, TS, SIG, BODY, AT, FIVE_MIN));
        assertEquals(SlackSignature.Verdict.VALID,
                SlackSignature.verify(SECRET, TS, SIG, BODY, AT.plusSeconds(300), FIVE_MIN));
    }

    @Test
    void verdicts() {
        Object[][] cases = {
                // secret, timestamp, signature, now, verdict
                {SECRET, TS, SIG.replace('a', 'b'), AT, SlackSignature.Verdict.FORGED},
                {"another-secret", TS, SIG, AT, SlackSignature.Verdict.FORGED},
                {SECRET, TS, SIG.substring(0, 20), AT, SlackSignature.Verdict.FORGED},
                {SECRET, TS, SIG, AT.plusSeconds(301), SlackSignature.Verdict.STALE},
                {SECRET, TS, SIG, AT.minusSeconds(301), SlackSignature.Verdict.STALE},
                {SECRET, "yesterday", SIG, AT, SlackSignature.Verdict.STALE},
                {SECRET, null, SIG, AT, SlackSignature.Verdict.MISSING},
                {SECRET, TS, null, AT, SlackSignature.Verdict.MISSING},
                {"", TS, SIG, AT, SlackSignature.Verdict.MISSING},
                {null, TS, SIG, AT, SlackSignature.Verdict.MISSING},
        };
        for (Object[] c : cases) {
            assertEquals(c[4], SlackSignature.verify((String) c[0], (String) c[1], (String) c[2], BODY,
                    (Instant) c[3], FIVE_MIN), java.util.Arrays.toString(c));
        }
    }
}
