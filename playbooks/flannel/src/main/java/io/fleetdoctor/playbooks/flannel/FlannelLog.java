package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.playbook.ClusterView;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What flanneld says at start about its interface (flannel pkg/ipmatch/match.go, LookupExtIface; the same
 * lines since v0.10): how it looked ("Determining IP address of default interface", "Searching for
 * interface using &lt;ip&gt;", "Determining interface to use based on given ifcanreach: &lt;ip&gt;") and what it
 * chose ("Using interface with name X and address Y"; dual stack adds "… and v6 address Y").
 */
public final class FlannelLog {
    static final String CHOICE_MARKER = "Using interface with name";
    public static final String DEFAULT_MARKER = "Determining IP address of default interface";
    static final String SEARCH_MARKER = "Searching for interface using";
    static final String CAN_REACH_MARKER = "Determining interface to use based on given ifcanreach";
    /** The lines the analyzer's window keeps from each flannel pod's startup log. */
    static final Set<String> MARKERS = Set.of(CHOICE_MARKER, DEFAULT_MARKER, SEARCH_MARKER, CAN_REACH_MARKER);

    private static final Pattern CHOICE = Pattern.compile("Using interface with name (\\S+) and (v6 )?address (\\S+)");
    private static final Pattern SEARCH = Pattern.compile("Searching for interface using (\\S+)");

    private FlannelLog() {
    }

    /** A log text with flanneld's choice line(s) rewritten to this interface and address (for a simulated flanneld). */
    public static String withChoice(String line, String iface, String address) {
        return CHOICE.matcher(line).replaceAll("Using interface with name " + iface + " and $2address " + address);
    }

    /**
     * @param how "the default route", "address 10.0.0.5" or "--iface-can-reach"; null when the log did not say
     */
    public record Choice(String signalId, String node, String iface, String address, String how) {
    }

    /** The newest interface choice among a node's startup lines (newest log first), or null. */
    public static Choice choice(String node, List<ClusterView.Log> logs) {
        for (ClusterView.Log l : logs) {
            String iface = null;
            String address = null;
            String how = null;
            for (String line : l.lines()) {
                Matcher m = CHOICE.matcher(line);
                if (m.find() && (iface == null || m.group(2) == null)) {
                    iface = m.group(1); // the v4 line wins over the v6 line of a dual-stack start
                    address = m.group(3);
                } else if (line.contains(DEFAULT_MARKER)) {
                    how = "the default route";
                } else if (line.contains(CAN_REACH_MARKER)) {
                    how = "--iface-can-reach";
                } else {
                    Matcher s = SEARCH.matcher(line);
                    if (s.find()) {
                        how = "address " + s.group(1);
                    }
                }
            }
            if (iface != null) {
                return new Choice(l.signalId(), node, iface, address, how);
            }
        }
        return null;
    }
}
