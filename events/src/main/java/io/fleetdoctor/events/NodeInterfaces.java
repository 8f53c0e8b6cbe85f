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
     */
    public record Interface(String name, boolean physical, boolean up, List<String> addresses, boolean defaultRoute) {
        public Interface {
            addresses = List.copyOf(addresses);
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
