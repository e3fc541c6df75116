package io.kubundle.proxy.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * kube-proxy's name hashes: the base32 (RFC 4648, upper case) of the SHA-256 of a text, cut to
 * 16 characters for iptables chains ({@code KUBE-SVC-...}) and to 8 for nftables chains
 * ({@code service-XXXXXXXX-ns/name/tcp/port}).
 */
public final class Hashes {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private Hashes() {
    }

    /** base32(sha256(text))[:16]. */
    public static String hash(String text) {
        return hash(text, 16);
    }

    /** base32(sha256(text))[:length], length at most 51. */
    public static String hash(String text, int length) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder out = new StringBuilder(length);
        int buffer = 0;
        int bits = 0;
        for (byte b : digest) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < length) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
            if (out.length() == length) {
                break;
            }
        }
        return out.toString();
    }
}
