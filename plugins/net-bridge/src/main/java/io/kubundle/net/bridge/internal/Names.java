package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import io.kubundle.api.network.NetworkFailure;

/** Interface names: the host end of a pod's veth pair, and what Linux accepts as a name. */
final class Names {
    /** Linux's limit (IFNAMSIZ less the terminating NUL). */
    static final int MAX_INTERFACE_NAME = 15;
    static final String HOST_VETH_PREFIX = "veth";
    /** Also keeps names safe inside an {@code ip -batch} line: no blanks, quotes or slashes. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_INTERFACE_NAME + "}");

    private Names() {
    }

    /**
     * The host end of pod {@code uid}'s veth pair: derived from the uid, so that any instance finds
     * it again without state; 44 bits of hash make a clash between two pods of one node unlikely
     * (about one in thirty million for a thousand pods).
     */
    static String hostVeth(String uid) {
        String hex = HexFormat.of().formatHex(sha256(uid));
        return HOST_VETH_PREFIX + hex.substring(0, MAX_INTERFACE_NAME - HOST_VETH_PREFIX.length());
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@code name}, if Linux takes it as an interface name; {@code what} says whose it is in the error. */
    static String requireInterfaceName(String what, String name) throws NetworkFailure {
        if (name == null || !INTERFACE_NAME.matcher(name).matches()) {
            throw new NetworkFailure(what + " '" + name + "' is not an interface name: 1 to " + MAX_INTERFACE_NAME
                    + " letters, digits, '_', '.' or '-'");
        }
        return name;
    }
}
