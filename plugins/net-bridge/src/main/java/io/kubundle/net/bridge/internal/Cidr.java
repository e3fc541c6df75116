package io.kubundle.net.bridge.internal;

import io.kubundle.api.network.NetworkFailure;

/**
 * An IPv4 network such as {@code 10.244.3.0/24}. The first host address is the gateway (the
 * bridge's own address); pods get the ones between it and the broadcast address.
 */
record Cidr(int network, int prefix) {
    /** The longest prefix with room for a gateway and one pod. */
    static final int LONGEST_PREFIX = 30;
    /** The shortest pod prefix: keeps a pod range within one sign of {@code int} arithmetic. */
    static final int SHORTEST_PREFIX = 8;

    /** Parses {@code a.b.c.d/n}; host bits are cleared, as {@code net.ParseCIDR} does. */
    static Cidr parse(String text) throws NetworkFailure {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new NetworkFailure("not an IPv4 CIDR: " + text);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new NetworkFailure("not an IPv4 CIDR: " + text);
        }
        if (prefix < 0 || prefix > 32) {
            throw new NetworkFailure("not an IPv4 CIDR: " + text);
        }
        int address = address(text.substring(0, slash));
        return new Cidr(prefix == 0 ? 0 : address & mask(prefix), prefix);
    }

    /** Parses a dotted IPv4 address to its 32 bits. */
    static int address(String text) throws NetworkFailure {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new NetworkFailure("not an IPv4 address: " + text + " (this plugin does IPv4 only)");
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new NetworkFailure("not an IPv4 address: " + text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new NetworkFailure("not an IPv4 address: " + text);
            }
            address = address << 8 | octet;
        }
        return address;
    }

    static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    private static int mask(int prefix) {
        return -1 << (32 - prefix);
    }

    /** Fails unless this fits a node's pods: room for the gateway and a pod, at most a /8. */
    Cidr requirePodRange() throws NetworkFailure {
        if (prefix > LONGEST_PREFIX) {
            throw new NetworkFailure("pod CIDR " + this + " is too small: a /" + LONGEST_PREFIX
                    + " or larger is needed for a gateway and a pod");
        }
        if (prefix < SHORTEST_PREFIX) {
            throw new NetworkFailure("pod CIDR " + this + " is too large for one node: at most a /" + SHORTEST_PREFIX);
        }
        return this;
    }

    int broadcast() {
        return prefix == 0 ? -1 : network | ~mask(prefix);
    }

    int gateway() {
        return network + 1;
    }

    /** The first address a pod may get: after the network address and the gateway. */
    int firstPod() {
        return network + 2;
    }

    /** The last address a pod may get: before the broadcast address. */
    int lastPod() {
        return broadcast() - 1;
    }

    /** How many addresses pods may get. */
    int podCount() {
        return lastPod() - firstPod() + 1;
    }

    boolean contains(int address) {
        return prefix == 0 || (address & mask(prefix)) == network;
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
