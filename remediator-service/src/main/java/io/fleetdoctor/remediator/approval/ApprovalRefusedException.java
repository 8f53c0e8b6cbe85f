package io.fleetdoctor.remediator.approval;

/** The approval policy refused an action; {@link #status()} is the HTTP status to answer with. */
public class ApprovalRefusedException extends RuntimeException {
    private final int status;

    public ApprovalRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
