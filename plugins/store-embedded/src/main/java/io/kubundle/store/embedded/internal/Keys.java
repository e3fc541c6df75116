package io.kubundle.store.embedded.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys as the log stores them: UTF-8 bytes in a BLOB column, so SQLite orders them bytewise, as
 * etcd does, and a prefix is the byte range {@code [prefix, end(prefix))}.
 */
final class Keys {
    /** Greater than every UTF-8 string: the byte 0xFF never occurs in UTF-8. */
    private static final byte[] AFTER_ALL = {(byte) 0xFF};

    private Keys() {
    }

    /** A key's bytes; rejects what the SPI rules out and what UTF-8 cannot hold. */
    static byte[] key(String key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        return prefix(key);
    }

    /** A prefix's bytes; the empty prefix matches every key. */
    static byte[] prefix(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("NUL in key " + prefix.replace('\0', '?'));
            }
            if (Character.isSurrogate(c)) {
                // a pair is fine; a lone surrogate would turn into '?' and alias another key
                if (Character.isHighSurrogate(c) && i + 1 < prefix.length() && Character.isLowSurrogate(prefix.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("unpaired surrogate in key " + prefix);
                }
            }
        }
        return prefix.getBytes(StandardCharsets.UTF_8);
    }

    /** The smallest byte string greater than every key that starts with {@code prefix}. */
    static byte[] end(byte[] prefix) {
        if (prefix.length == 0) {
            return AFTER_ALL;
        }
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        // the last byte of UTF-8 is never 0xFF, so it can always be incremented
        end[end.length - 1]++;
        return end;
    }

    static String string(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
