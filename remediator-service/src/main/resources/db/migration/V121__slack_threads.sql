-- The Slack thread of each incident per channel (bot token mode): the ts of the first message delivered
-- for the incident, to which its later messages reply.
CREATE TABLE slack_thread (
    incident_id VARCHAR(200) NOT NULL,
    channel     VARCHAR(200) NOT NULL,
    ts          VARCHAR(40)  NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, channel)
);
