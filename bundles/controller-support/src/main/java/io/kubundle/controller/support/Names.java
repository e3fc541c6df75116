package io.kubundle.controller.support;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** Generated names as Kubernetes makes them: the parent's name and a suffix. */
public final class Names {
    /** The alphabet of Kubernetes' random suffixes: no vowels (no words), no look-alikes. */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_NAME = 63;

    private Names() {
    }

    /** Five random characters, as generateName and the pods of ReplicaSets get. */
    public static String randomSuffix() {
        StringBuilder suffix = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return suffix.toString();
    }

    /** {@code base-suffix}, the base shortened so the whole stays a valid label. */
    public static String child(String base, String suffix) {
        int room = MAX_NAME - suffix.length() - 1;
        String prefix = base.length() > room ? base.substring(0, room) : base;
        return prefix + "-" + suffix;
    }

    /**
     * A stable hash of a text in Kubernetes' suffix alphabet (as pod-template-hash is): the same
     * template always gives the same name.
     */
    public static String hash(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        StringBuilder encoded = new StringBuilder();
        long value = hash & Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            encoded.append(ALPHABET.charAt((int) (value % ALPHABET.length())));
            value /= ALPHABET.length();
        }
        return encoded.toString();
    }
}
