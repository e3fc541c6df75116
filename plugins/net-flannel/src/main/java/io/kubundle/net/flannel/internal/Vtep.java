package io.kubundle.net.flannel.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The node's VXLAN tunnel endpoint, as flannel's vxlan backend makes it:
 * {@code ip link add flannel.1 type vxlan id 1 local <node IP> dev <its interface> dstport 8472 nolearning},
 * MTU 50 less than that interface's, up, with the pod subnet's network address as a /32. An existing
 * device with the same VNI, local address and port is adopted as it is (its MAC, which the other
 * nodes have, stays); one that differs is deleted and made again. Every step checks first, so a
 * repeat changes nothing.
 */
final class Vtep {
    /** The outer IPv4 (20), UDP (8), VXLAN (8) and inner Ethernet (14) headers. */
    static final int OVERHEAD = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(Vtep.class.getName());

    private final Shell shell;
    private final String device;
    private final int vni;
    private final int port;
    private final int mtu;

    /**
     * @param mtu the VTEP's MTU, or 0 for the node interface's less {@link #OVERHEAD}
     */
    Vtep(Shell shell, String device, int vni, int port, int mtu) {
        if (device.isEmpty() || device.length() > 15 || device.contains("/") || device.contains(" ")) {
            throw new IllegalArgumentException("not an interface name: '" + device + "'");
        }
        if (vni < 0 || vni > 0xFFFFFF) {
            throw new IllegalArgumentException("VNI " + vni + " is not between 0 and 16777215");
        }
        this.shell = shell;
        this.device = device;
        this.vni = vni;
        this.port = port;
        this.mtu = mtu;
    }

    String device() {
        return device;
    }

    /** Makes or adopts the device for a node at {@code nodeIp} with pod subnet {@code subnet}; returns its MAC address. */
    String ensure(String nodeIp, Subnet subnet) throws IOException {
        Subnet.address(nodeIp);
        JsonNode link = link();
        if (link != null && !fits(link, nodeIp)) {
            LOG.log(System.Logger.Level.INFO, "{0} is not a VXLAN device with VNI {1}, local {2}, port {3}: making it again",
                    device, Integer.toString(vni), nodeIp, Integer.toString(port));
            shell.output("ip", "link", "del", "dev", device);
            link = null;
        }
        String parent = interfaceHolding(nodeIp);
        if (link == null) {
            shell.output("ip", "link", "add", device, "type", "vxlan", "id", Integer.toString(vni), "local", nodeIp,
                    "dev", parent, "dstport", Integer.toString(port), "nolearning", "noudpcsum");
            link = link();
            if (link == null) {
                throw new IOException(device + " was added but is not there");
            }
        }
        int wantedMtu = mtu > 0 ? mtu : mtuOf(parent) - OVERHEAD;
        if (link.path("mtu").asInt() != wantedMtu) {
            shell.output("ip", "link", "set", "dev", device, "mtu", Integer.toString(wantedMtu));
        }
        if (!flags(link).contains("UP")) {
            shell.output("ip", "link", "set", "dev", device, "up");
        }
        ensureOnlyAddress(subnet.network() + "/32");
        if (!"1".equals(shell.output("sysctl", "-n", "net.ipv4.ip_forward").strip())) {
            shell.output("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
        return link.path("address").asText();
    }

    /** What the device has: routes, neighbours and FDB entries. */
    Entries entries() throws IOException {
        return Entries.parse(shell.output("ip", "-j", "-4", "route", "show", "dev", device),
                shell.output("ip", "-j", "-4", "neigh", "show", "dev", device),
                shell.output("bridge", "-j", "fdb", "show", "dev", device));
    }

    /**
     * Brings the device's entries to {@code wanted}. A command that fails (an entry changed under
     * it, say) is forgiven if the entries are right afterwards; otherwise the first failure is thrown.
     *
     * @return how many commands ran
     */
    int apply(Entries wanted) throws IOException {
        List<List<String>> changes = entries().changesTo(wanted, device);
        List<IOException> failures = new ArrayList<>();
        for (List<String> command : changes) {
            Shell.Outcome outcome = shell.exec(command);
            if (!outcome.succeeded()) {
                failures.add(new Shell.CommandFailedException(outcome));
            }
        }
        if (!failures.isEmpty()) {
            List<List<String>> left = entries().changesTo(wanted, device);
            if (!left.isEmpty()) {
                IOException failure = failures.get(0);
                failures.subList(1, failures.size()).forEach(failure::addSuppressed);
                throw failure;
            }
        }
        return changes.size();
    }

    private boolean fits(JsonNode link, String nodeIp) {
        JsonNode info = link.path("linkinfo");
        JsonNode data = info.path("info_data");
        return "vxlan".equals(info.path("info_kind").asText()) && data.path("id").asInt(-1) == vni
                && nodeIp.equals(data.path("local").asText()) && data.path("port").asInt(-1) == port
                && !data.path("learning").asBoolean(true);
    }

    /** The device's details, or null when there is none. */
    private JsonNode link() throws IOException {
        Shell.Outcome shown = shell.exec(List.of("ip", "-d", "-j", "link", "show", "dev", device));
        if (!shown.succeeded()) {
            if (shown.stderr().contains("does not exist")) {
                return null;
            }
            shown.orThrow();
        }
        JsonNode links = JSON.readTree(shown.stdout());
        return links.isArray() && links.size() > 0 ? links.get(0) : null;
    }

    private static List<String> flags(JsonNode link) {
        List<String> flags = new ArrayList<>();
        link.path("flags").forEach(flag -> flags.add(flag.asText()));
        return flags;
    }

    /** The interface that has {@code ip}: the VXLAN packets leave through it. */
    private String interfaceHolding(String ip) throws IOException {
        for (JsonNode link : JSON.readTree(shell.output("ip", "-j", "-4", "addr", "show"))) {
            for (JsonNode address : link.path("addr_info")) {
                if (ip.equals(address.path("local").asText()) && !device.equals(link.path("ifname").asText())) {
                    return link.path("ifname").asText();
                }
            }
        }
        throw new IOException("no interface has the node's address " + ip);
    }

    private int mtuOf(String link) throws IOException {
        JsonNode links = JSON.readTree(shell.output("ip", "-j", "link", "show", "dev", link));
        return links.get(0).path("mtu").asInt();
    }

    /** Gives the device {@code address} and removes any other IPv4 address (of an earlier pod subnet). */
    private void ensureOnlyAddress(String address) throws IOException {
        boolean present = false;
        for (JsonNode link : JSON.readTree(shell.output("ip", "-j", "-4", "addr", "show", "dev", device))) {
            for (JsonNode info : link.path("addr_info")) {
                String has = info.path("local").asText() + "/" + info.path("prefixlen").asInt();
                if (has.equals(address)) {
                    present = true;
                } else {
                    shell.output("ip", "addr", "del", has, "dev", device);
                }
            }
        }
        if (!present) {
            shell.output("ip", "addr", "add", address, "dev", device);
        }
    }
}
