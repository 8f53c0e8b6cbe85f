package io.fleetdoctor.remediator.slack;

/** An interaction that cannot be handled; {@link #status()} is the HTTP status to answer with. */
public class SlackInteractionException extends RuntimeException {
    private final int status;
    private final String title;

    public SlackInteractionException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
