package io.fleetdoctor.events;

import java.util.List;

/** {@code io.fleetdoctor.signal.node-interfaces.v1}: a node's network interface inventory. */
public record NodeInterfaces(String node, String hostIP, String kernelVersion, List<Interface> interfaces)
        implements EventData {

    public NodeInterfaces {
        interfaces = List.copyOf(interfaces);
    }

    /**
     * @param physical     has {@code /sys/class/net/<if>/device}
     * @param up           operstate up
     * @param addresses    CIDR strings, e.g. {@code 192.168.10.11/24}
     * @param defaultRoute carries the default IPv4 route
     * @param kind         (added) {@code physical}, {@code bond}, {@code team}, {@code vlan}, {@code bridge},
     *                     {@code macvlan} or {@code virtual}; null from older agents (then {@code physical} decides)
     * @param lower        (added) the interfaces under it: bond/team members, a VLAN's or macvlan's parent,
     *                     a bridge's ports
     */
    public record Interface(String name, boolean physical, boolean up, List<String> addresses, boolean defaultRoute,
                            String kind, List<String> lower) {
        public static final String PHYSICAL = "physical";
        public static final String BOND = "bond";
        public static final String TEAM = "team";
        public static final String VLAN = "vlan";
        public static final String BRIDGE = "bridge";
        public static final String MACVLAN = "macvlan";
        public static final String VIRTUAL = "virtual";

        public Interface {
            addresses = List.copyOf(addresses);
            lower = lower == null ? List.of() : List.copyOf(lower);
        }

        /** As sent by agents before {@code kind} and {@code lower} were added. */
        public Interface(String name, boolean physical, boolean up, List<String> addresses, boolean defaultRoute) {
            this(name, physical, up, addresses, defaultRoute, null, List.of());
        }

        /** {@code kind}, or for older agents {@code physical}/{@code virtual} from the {@code physical} flag. */
        public String effectiveKind() {
            return kind != null ? kind : physical ? PHYSICAL : VIRTUAL;
        }

        /** True when one of the addresses is IPv4. */
        public boolean hasIpv4() {
            for (String a : addresses) {
                if (a.indexOf(':') < 0 && a.indexOf('.') > 0) {
                    return true;
                }
            }
            return false;
        }

        /** True when one of the addresses is exactly this IP (ignoring the prefix length). */
        public boolean carries(String ip) {
            if (ip == null) {
                return false;
            }
            for (String a : addresses) {
                int slash = a.indexOf('/');
                String addr = slash < 0 ? a : a.substring(0, slash);
                if (addr.equals(ip)) {
                    return true;
                }
            }
            return false;
        }
    }
}
