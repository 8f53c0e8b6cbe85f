package io.fleetdoctor.remediator.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetdoctor.remediator.plan.PlanState;
import io.fleetdoctor.remediator.plan.PlanTransition;

import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Builds the Block Kit message for a plan transition. Pure: no I/O, no clock.
 * Slack limits respected: header ≤ 150 chars, section text ≤ 3000 chars, ≤ 50 blocks.
 */
public final class SlackMessages {
    /** action_id of the Approve button; the button's value is {@link #buttonValue}. */
    public static final String ACTION_APPROVE = "fleetdoctor.approve";
    /** action_id of the Reject button; the button's value is {@link #buttonValue}. */
    public static final String ACTION_REJECT = "fleetdoctor.reject";
    /** Separates the plan id from the plan hash in a button's value. */
    public static final char VALUE_SEPARATOR = ':';

    /** A button's value: {@code <planId>:<planHash>}, so a click approves exactly the plan the message showed. */
    public static String buttonValue(String planId, String planHash) {
        return planHash == null ? planId : planId + VALUE_SEPARATOR + planHash;
    }

    static final int MAX_SECTION = 3000;
    static final int MAX_HEADER = 150;
    static final int MAX_HIGHLIGHTS = 10;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SlackMessages() {
    }

    /** @param planUrlBase prefix for the plan link when the transition has none, or null */
    public static SlackMessage of(PlanTransition t, String planUrlBase) {
        String link = t.link() != null && !t.link().isBlank() ? t.link()
                : planUrlBase != null && !planUrlBase.isBlank() && t.planId() != null ? planUrlBase + t.planId() : null;
        String cluster = nvl(t.cluster(), "unknown cluster");
        String actor = actorOf(t);
        ArrayNode blocks = F.arrayNode();
        String kind;
        String text;
        switch (t.to()) {
            case PENDING_APPROVAL:
                if (t.from() == PlanState.PENDING_APPROVAL) {
                    kind = "approval_recorded";
                    text = actor != null
                            ? "Approval by " + actor + " recorded for the plan on " + cluster + "; more approvals needed"
                            : "Plan on " + cluster + " updated; still awaiting approval";
                    header(blocks, ":hourglass_flowing_sand: " + text);
                    summary(blocks, t);
                } else {
                    kind = "awaiting_approval";
                    text = "Plan awaiting approval on " + cluster + ": " + nvl(t.summary(), "remediation plan");
                    header(blocks, ":warning: Plan awaiting approval: " + cluster);
                    summary(blocks, t);
                    highlights(blocks, t.evidenceHighlights());
                    owner(blocks, t);
                    diff(blocks, t.diff());
                    approvalActions(blocks, t.planId(), t.planHash(), link);
                }
                break;
            case APPROVED:
                kind = "approved";
                text = "Plan on " + cluster + " approved" + by(actor, t.channel());
                header(blocks, ":white_check_mark: " + text);
                summary(blocks, t);
                reason(blocks, "Comment", t.reason());
                break;
            case REJECTED:
                kind = "rejected";
                text = "Plan on " + cluster + " rejected" + by(actor, t.channel());
                header(blocks, ":no_entry: " + text);
                summary(blocks, t);
                reason(blocks, "Reason", t.reason());
                break;
            case EXECUTING:
                kind = "executing";
                text = "Executing the plan on " + cluster;
                header(blocks, ":gear: " + text);
                summary(blocks, t);
                break;
            case VERIFYING:
                kind = "verifying";
                text = "Change applied on " + cluster + "; verifying";
                header(blocks, ":mag: " + text);
                break;
            case SUCCEEDED:
                kind = "succeeded";
                text = "Remediation succeeded on " + cluster;
                header(blocks, ":tada: " + text);
                summary(blocks, t);
                reason(blocks, "Verification", t.reason());
                break;
            case STALE:
                kind = "stale";
                text = "Plan on " + cluster + " is stale: the cluster changed since planning, nothing was applied";
                header(blocks, ":hourglass: Plan stale: " + cluster);
                section(blocks, "The live objects differ from what the plan recorded. Nothing was applied; "
                        + "the plan must be rebuilt.");
                reason(blocks, "Details", t.reason());
                break;
            case FAILED:
                kind = "failed";
                text = "Remediation FAILED on " + cluster + ": manual attention needed";
                header(blocks, ":rotating_light: Remediation FAILED: " + cluster);
                section(blocks, "*The change could not be completed and the cluster could not be restored "
                        + "automatically. Manual attention needed.*");
                reason(blocks, "Reason", t.reason());
                break;
            case ROLLED_BACK:
                kind = "rolled_back";
                text = "Remediation rolled back on " + cluster + ": the recorded spec was restored";
                header(blocks, ":leftwards_arrow_with_hook: Remediation rolled back: " + cluster);
                section(blocks, "Verification or rollout failed; the recorded spec was restored.");
                reason(blocks, "Reason", t.reason());
                break;
            case EXPIRED:
                kind = "expired";
                text = "Plan on " + cluster + " expired without enough approvals";
                header(blocks, ":alarm_clock: " + text);
                break;
            case SUPERSEDED:
                kind = "superseded";
                text = "Plan on " + cluster + " superseded by a newer plan of the same incident";
                header(blocks, ":repeat: Plan superseded: " + cluster);
                reason(blocks, "Reason", t.reason());
                break;
            case SOURCE_CHANGE_PROPOSED:
                kind = "source_change_proposed";
                text = "Plan on " + cluster + " approved as a source change: apply it at "
                        + (t.owner() == null ? "its source" : t.owner().manager()) + "; nothing was written to the cluster";
                header(blocks, ":memo: Apply at the source: " + cluster);
                owner(blocks, t);
                reason(blocks, "Reason", t.reason());
                break;
            case CANCELLED:
                kind = "cancelled";
                text = "Plan on " + cluster + " cancelled" + (t.reason() != null ? ": " + t.reason() : "");
                header(blocks, ":wastebasket: Plan cancelled: " + cluster);
                reason(blocks, "Reason", t.reason());
                break;
            default:
                kind = t.to().name().toLowerCase();
                text = "Plan on " + cluster + " is now " + t.to();
                header(blocks, text);
        }
        if (link != null && t.to() != PlanState.PENDING_APPROVAL) {
            section(blocks, "<" + link + "|Open the plan>");
        }
        context(blocks, t, actor);
        ObjectNode body = F.objectNode();
        body.put("text", truncate(escape(text), MAX_SECTION));
        body.set("blocks", blocks);
        return new SlackMessage(kind, body.toString());
    }

    /**
     * The first message of an incident (its thread's parent when a bot token is configured): cluster, rule,
     * severity, summary and the first evidence items.
     */
    public static SlackMessage incidentOpened(String cluster, io.fleetdoctor.events.Decision d, String link) {
        ArrayNode blocks = F.arrayNode();
        String text = "Incident opened on " + nvl(cluster, "unknown cluster") + ": " + nvl(d.summary(), d.rule());
        header(blocks, ":rotating_light: Incident on " + nvl(cluster, "?") + ": " + nvl(d.rule(), "?"));
        ObjectNode b = blocks.addObject();
        b.put("type", "section");
        ObjectNode t = b.putObject("text");
        t.put("type", "mrkdwn");
        t.put("text", truncate(escape(nvl(d.summary(), "")), MAX_SECTION));
        ArrayNode fields = b.putArray("fields");
        field(fields, "*Cluster*\n" + escape(nvl(cluster, "?")));
        field(fields, "*Incident*\n`" + escape(nvl(d.incidentId(), "?")) + "`");
        field(fields, "*Severity*\n" + escape(nvl(d.severity(), "?")));
        field(fields, "*Confidence*\n" + Math.round(d.confidence() * 100) + " %");
        java.util.List<String> facts = new java.util.ArrayList<>();
        for (io.fleetdoctor.events.Decision.Evidence e : d.evidence()) {
            facts.add((e.node() == null ? "" : e.node() + ": ") + e.fact());
        }
        highlights(blocks, facts);
        if (link != null) {
            section(blocks, "<" + link + "|Open fleetdoctor>");
        }
        ObjectNode body = F.objectNode();
        body.put("text", truncate(escape(text), MAX_SECTION));
        body.set("blocks", blocks);
        return new SlackMessage("incident_opened", body.toString());
    }

    /** A fleet notice (storm guard, silence expiry): a header and a text, both escaped. */
    public static SlackMessage notice(String kind, String headline, String text) {
        return notice(kind, headline, "", text);
    }

    /** A notice whose text starts with mentions (from {@link #mentions}), which are not escaped. */
    public static SlackMessage notice(String kind, String headline, String mentions, String text) {
        ArrayNode blocks = F.arrayNode();
        header(blocks, headline);
        section(blocks, mentions + escape(text));
        ObjectNode body = F.objectNode();
        body.put("text", truncate(mentions + escape(headline + ": " + text), MAX_SECTION));
        body.set("blocks", blocks);
        return new SlackMessage(kind, body.toString());
    }

    private static void header(ArrayNode blocks, String text) {
        ObjectNode b = blocks.addObject();
        b.put("type", "header");
        ObjectNode t = b.putObject("text");
        t.put("type", "plain_text");
        t.put("text", truncate(text, MAX_HEADER));
        t.put("emoji", true);
    }

    private static void section(ArrayNode blocks, String mrkdwn) {
        ObjectNode b = blocks.addObject();
        b.put("type", "section");
        ObjectNode t = b.putObject("text");
        t.put("type", "mrkdwn");
        t.put("text", truncate(mrkdwn, MAX_SECTION));
    }

    private static void summary(ArrayNode blocks, PlanTransition t) {
        ObjectNode b = blocks.addObject();
        b.put("type", "section");
        if (t.summary() != null && !t.summary().isBlank()) {
            ObjectNode text = b.putObject("text");
            text.put("type", "mrkdwn");
            text.put("text", truncate(escape(t.summary()), MAX_SECTION));
        }
        ArrayNode fields = b.putArray("fields");
        field(fields, "*Cluster*\n" + escape(nvl(t.cluster(), "?")));
        field(fields, "*Plan*\n`" + escape(nvl(t.planId(), "?")) + "`");
        if (t.incidentId() != null) {
            field(fields, "*Incident*\n`" + escape(t.incidentId()) + "`");
        }
        field(fields, "*State*\n" + (t.from() == null ? "" : t.from() + " → ") + t.to());
    }

    private static void field(ArrayNode fields, String mrkdwn) {
        ObjectNode f = fields.addObject();
        f.put("type", "mrkdwn");
        f.put("text", truncate(mrkdwn, 2000));
    }

    private static void highlights(ArrayNode blocks, List<String> highlights) {
        if (highlights == null || highlights.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("*Evidence*");
        int n = 0;
        for (String h : highlights) {
            if (n++ == MAX_HIGHLIGHTS) {
                sb.append("\n• … and ").append(highlights.size() - MAX_HIGHLIGHTS).append(" more");
                break;
            }
            sb.append("\n• ").append(escape(h));
        }
        section(blocks, sb.toString());
    }

    private static void diff(ArrayNode blocks, String diff) {
        if (diff == null || diff.isBlank()) {
            return;
        }
        String open = "*Change*\n```";
        String close = "```";
        String marker = "\n… (truncated, see the plan page)";
        // ``` inside the diff would end the code block early
        String body = escape(diff.replace("```", "'''"));
        int room = MAX_SECTION - open.length() - close.length();
        if (body.length() > room) {
            body = body.substring(0, room - marker.length()) + marker;
        }
        section(blocks, open + body + close);
    }

    /** A managed DaemonSet: who owns it, the evidence, and the change to make at that source. */
    private static void owner(ArrayNode blocks, PlanTransition t) {
        if (t.owner() == null) {
            return;
        }
        String head = "*Managed by " + escape(nvl(t.owner().manager(), "?")) + "* (" + escape(nvl(t.owner().evidence(), "?"))
                + "): approving records agreement; the change is to be made at the source, not patched live";
        String change = t.owner().sourceChange() == null ? "" : escape(t.owner().sourceChange().replace("```", "'''"));
        String open = "\n*Source change*\n```";
        int room = MAX_SECTION - head.length() - open.length() - 3;
        if (change.length() > room) {
            change = change.substring(0, Math.max(0, room - 30)) + "\n… (see the plan page)";
        }
        section(blocks, change.isEmpty() ? head : head + open + change + "```");
    }

    private static void approvalActions(ArrayNode blocks, String planId, String planHash, String link) {
        ObjectNode b = blocks.addObject();
        b.put("type", "actions");
        b.put("block_id", "fleetdoctor.plan");
        ArrayNode elements = b.putArray("elements");
        button(elements, "Approve", ACTION_APPROVE, buttonValue(planId, planHash), "primary", null);
        button(elements, "Reject", ACTION_REJECT, buttonValue(planId, planHash), "danger", null);
        if (link != null) {
            button(elements, "Open plan", "fleetdoctor.open", planId, null, link);
        }
    }

    private static void button(ArrayNode elements, String label, String actionId, String value, String style,
                               String url) {
        ObjectNode e = elements.addObject();
        e.put("type", "button");
        ObjectNode t = e.putObject("text");
        t.put("type", "plain_text");
        t.put("text", label);
        e.put("action_id", actionId);
        if (value != null) {
            e.put("value", value);
        }
        if (style != null) {
            e.put("style", style);
        }
        if (url != null) {
            e.put("url", url);
        }
    }

    private static void reason(ArrayNode blocks, String label, String reason) {
        if (reason != null && !reason.isBlank()) {
            section(blocks, "*" + label + "*: " + escape(reason));
        }
    }

    private static void context(ArrayNode blocks, PlanTransition t, String actor) {
        ObjectNode b = blocks.addObject();
        b.put("type", "context");
        ArrayNode elements = b.putArray("elements");
        StringBuilder sb = new StringBuilder("plan `").append(escape(nvl(t.planId(), "?"))).append('`');
        sb.append(" · ").append(t.from() == null ? "new" : t.from().name()).append(" → ").append(t.to().name());
        if (actor != null) {
            sb.append(" · by ").append(escape(actor));
        }
        if (t.channel() != null) {
            sb.append(" via ").append(escape(t.channel()));
        }
        if (t.at() != null) {
            sb.append(" · ").append(DateTimeFormatter.ISO_INSTANT.format(t.at()));
        }
        ObjectNode e = elements.addObject();
        e.put("type", "mrkdwn");
        e.put("text", truncate(sb.toString(), MAX_SECTION));
    }

    private static String actorOf(PlanTransition t) {
        return t.actor() == null || t.actor().isBlank() ? null : t.actor();
    }

    private static String by(String actor, String channel) {
        if (actor == null) {
            return "";
        }
        return " by " + actor + (channel == null ? "" : " (via " + channel + ")");
    }

    /** Slack user ids as mentions, each followed by a space; ids that are not [A-Z0-9]+ are left out. */
    public static String mentions(java.util.Collection<String> userIds) {
        StringBuilder b = new StringBuilder();
        for (String id : userIds) {
            String u = id == null ? "" : id.trim();
            if (u.matches("[A-Z0-9]+")) {
                b.append("<@").append(u).append("> ");
            }
        }
        return b.toString();
    }

    /** A person: their Slack mention when their user id is known, else {@code @name}; followed by a space. */
    public static String person(String userId, String name) {
        String m = userId == null ? "" : mentions(java.util.List.of(userId));
        return m.isEmpty() ? "@" + escape(name) + " " : m;
    }

    /** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String nvl(String s, String dflt) {
        return s == null || s.isBlank() ? dflt : s;
    }
}
