package io.fleetdoctor.remediator.cluster;

/** A cluster id that is not in the registry: nothing may be read or written there. */
public class UnknownClusterException extends RuntimeException {
    private final String cluster;

    public UnknownClusterException(String cluster) {
        super(reason(cluster));
        this.cluster = cluster;
    }

    public String cluster() {
        return cluster;
    }

    public static String reason(String cluster) {
        return "cluster " + cluster + " is not in the registry (fleetdoctor.clusters.\"" + cluster + "\".*)";
    }
}
