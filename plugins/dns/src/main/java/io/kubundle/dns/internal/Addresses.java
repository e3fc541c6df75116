package io.kubundle.dns.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** IP address literals: checks, bytes, the dashed form of pod names and the reverse (PTR) names. */
final class Addresses {
    private Addresses() {
    }

    /** True for an IPv4 or IPv6 literal (never a host name: nothing is looked up). */
    static boolean isIp(String text) {
        return bytes(text) != null;
    }

    /** The address's bytes (4 or 16), or null when {@code text} is not an IP literal. */
    static byte[] bytes(String text) {
        if (text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                    return null;
                }
                int value = Integer.parseInt(parts[i]);
                if (value > 255) {
                    return null;
                }
                bytes[i] = (byte) value;
            }
            return bytes;
        }
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        try {
            // a literal with only hex digits, colons and dots: InetAddress parses it without a lookup
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The canonical text of an address's bytes. */
    static String text(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@code 10-1-2-3} for {@code 10.1.2.3}; {@code fd00--1} for {@code fd00::1}: an address as one DNS label. */
    static String dashed(String ip) {
        return ip.replace('.', '-').replace(':', '-');
    }

    /** The address a dashed label stands for ({@code 10-1-2-3}), or null. */
    static String undashed(String label) {
        byte[] v4 = bytes(label.replace('-', '.'));
        if (v4 != null && v4.length == 4) {
            return text(v4);
        }
        byte[] v6 = bytes(label.replace('-', ':'));
        return v6 == null ? null : text(v6);
    }

    /**
     * The address a reverse name stands for ({@code 4.3.2.1.in-addr.arpa} is {@code 1.2.3.4}, and
     * 32 nibbles under {@code ip6.arpa}), or null when the name is not a whole address.
     */
    static String fromReverse(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".in-addr.arpa")) {
            String[] labels = lower.substring(0, lower.length() - ".in-addr.arpa".length()).split("\\.");
            if (labels.length != 4) {
                return null;
            }
            byte[] bytes = bytes(labels[3] + "." + labels[2] + "." + labels[1] + "." + labels[0]);
            return bytes == null ? null : text(bytes);
        }
        if (lower.endsWith(".ip6.arpa")) {
            String[] nibbles = lower.substring(0, lower.length() - ".ip6.arpa".length()).split("\\.");
            if (nibbles.length != 32) {
                return null;
            }
            byte[] bytes = new byte[16];
            for (int i = 0; i < 32; i++) {
                int nibble = nibbles[i].length() == 1 ? Character.digit(nibbles[i].charAt(0), 16) : -1;
                if (nibble < 0) {
                    return null;
                }
                int position = 31 - i;
                bytes[position / 2] |= (byte) (position % 2 == 0 ? nibble << 4 : nibble);
            }
            return text(bytes);
        }
        return null;
    }
}
