package io.kubundle.lb.pool.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The addresses a pool holds, written as CIDR blocks or {@code first-last} ranges separated by
 * commas ({@code 172.30.255.0/24}, {@code 192.168.1.240-192.168.1.250}). In a CIDR block the
 * network and broadcast addresses are left out, as MetalLB does by default.
 */
final class AddressPool {
    private record Span(long first, long last) {
    }

    private final List<Span> spans = new ArrayList<>();
    private final String text;

    AddressPool(String text) {
        this.text = text;
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            if (item.contains("/")) {
                String[] cidr = item.split("/");
                int prefix = Integer.parseInt(cidr[1]);
                if (prefix < 1 || prefix > 30) {
                    throw new IllegalArgumentException("a pool block needs a prefix between /1 and /30: " + item);
                }
                long size = 1L << (32 - prefix);
                long network = value(cidr[0]) & ~(size - 1);
                spans.add(new Span(network + 1, network + size - 2));
            } else if (item.contains("-")) {
                String[] ends = item.split("-");
                long first = value(ends[0]);
                long last = value(ends[1]);
                if (first > last) {
                    throw new IllegalArgumentException("a pool range runs backwards: " + item);
                }
                spans.add(new Span(first, last));
            } else {
                long single = value(item);
                spans.add(new Span(single, single));
            }
        }
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("the pool is empty");
        }
    }

    /** The IPv4 address as a number; IllegalArgumentException for anything else. */
    static long value(String address) {
        String[] octets = address.trim().split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        long value = 0;
        for (String octet : octets) {
            int part;
            try {
                part = Integer.parseInt(octet);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
            value = value << 8 | part;
        }
        return value;
    }

    static String text(long value) {
        return (value >> 24 & 0xff) + "." + (value >> 16 & 0xff) + "." + (value >> 8 & 0xff) + "." + (value & 0xff);
    }

    boolean contains(String address) {
        long value;
        try {
            value = value(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return spans.stream().anyMatch(span -> value >= span.first() && value <= span.last());
    }

    /** The lowest address not in {@code taken}, or null when the pool is exhausted. */
    String firstFree(Set<String> taken) {
        for (Span span : spans) {
            for (long value = span.first(); value <= span.last(); value++) {
                String address = text(value);
                if (!taken.contains(address)) {
                    return address;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
