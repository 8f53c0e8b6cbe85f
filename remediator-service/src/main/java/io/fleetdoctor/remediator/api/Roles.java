package io.fleetdoctor.remediator.api;

/** The three roles of the API. */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String APPROVER = "approver";
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
