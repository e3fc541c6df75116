package io.kubundle.controller.service.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 range in CIDR notation ({@code 10.96.0.0/12}), as Service ClusterIPs and load balancer
 * pools are configured. Offsets count from the network address; the network and broadcast
 * addresses are never handed out.
 */
record Cidr(int network, int prefix) {
    Cidr {
        if (prefix < 1 || prefix > 30) {
            throw new IllegalArgumentException("a range needs a prefix length between 1 and 30, not /" + prefix);
        }
        network = network & mask(prefix);
    }

    /** Parses {@code a.b.c.d/n}; throws IllegalArgumentException on anything else (IPv6 is not supported yet). */
    static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR range (a.b.c.d/n): " + text);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR range (a.b.c.d/n): " + text);
        }
        Integer address = toInt(trimmed.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("not an IPv4 CIDR range: " + text);
        }
        return new Cidr(address, prefix);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The number of addresses, network and broadcast included. */
    long size() {
        return 1L << (32 - prefix);
    }

    /** Whether the address can be handed out: inside, and neither the network nor the broadcast address. */
    boolean isUsable(String address) {
        Integer ip = toInt(address);
        if (ip == null || (ip & mask(prefix)) != network) {
            return false;
        }
        long offset = offset(ip);
        return offset > 0 && offset < size() - 1;
    }

    private long offset(int ip) {
        return Integer.toUnsignedLong(ip) - Integer.toUnsignedLong(network);
    }

    /** The address at an offset from the network address. */
    String at(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this);
        }
        return text((int) (network + offset));
    }

    /** The offset of a usable address, or -1. */
    long offsetOf(String address) {
        return isUsable(address) ? offset(toInt(address)) : -1;
    }

    /** The IPv4 address as an int, or null for anything that is not a dotted quad. */
    static Integer toInt(String text) {
        if (text == null || !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            if (!(address instanceof Inet4Address)) {
                return null;
            }
            byte[] b = address.getAddress();
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String text(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xff) + "." + (ip >>> 8 & 0xff) + "." + (ip & 0xff);
    }

    @Override
    public String toString() {
        return text(network) + "/" + prefix;
    }
}
