package io.kubundle.net.flannel.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 network in CIDR form. {@link #network()} is the address flannel gives a node's VTEP
 * ({@code 10.244.3.0} for {@code 10.244.3.0/24}) and the next hop other nodes route the subnet to.
 */
record Subnet(int base, int prefix) {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    Subnet {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length " + prefix + " is not between 0 and 32");
        }
        base &= mask(prefix);
    }

    /** Parses {@code a.b.c.d/n} (the host bits are cleared); an address without a length is a /32. */
    static Subnet parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        int prefix;
        try {
            prefix = slash < 0 ? 32 : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
        }
        return new Subnet(address(slash < 0 ? trimmed : trimmed.substring(0, slash)), prefix);
    }

    /** An IPv4 address as a number; anything else is an {@link IllegalArgumentException}. */
    static int address(String text) {
        Matcher matcher = IPV4.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int value = 0;
        for (int group = 1; group <= 4; group++) {
            int octet = Integer.parseInt(matcher.group(group));
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = value << 8 | octet;
        }
        return value;
    }

    static boolean isAddress(String text) {
        try {
            address(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String dotted(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The network address, dotted. */
    String network() {
        return dotted(base);
    }

    @Override
    public String toString() {
        return network() + "/" + prefix;
    }
}
