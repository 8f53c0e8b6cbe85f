package io.fleetdoctor.events;

/** A record that is not a valid event of the contract; {@link #field()} names the offending attribute. */
public class InvalidEventException extends RuntimeException {
    private final String field;

    public InvalidEventException(String field, String message) {
        super(field == null ? message : field + ": " + message);
        this.field = field;
    }

    /** Dotted path of the bad field, e.g. {@code data.restartCount}, or null for the whole record. */
    public String field() {
        return field;
    }
}
