package io.fleetdoctor.remediator.slack;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The short answer to an interaction, shown only to the person who clicked. */
public record SlackReply(@JsonProperty("response_type") String responseType,
                         @JsonProperty("replace_original") boolean replaceOriginal,
                         String text) {

    public static SlackReply ephemeral(String text) {
        return new SlackReply("ephemeral", false, text);
    }
}
