package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** sha256 digests in the OCI form {@code sha256:<64 lowercase hex>}. */
final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digests() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static String format(MessageDigest md) {
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    static String of(byte[] bytes) {
        MessageDigest md = sha256();
        md.update(bytes);
        return format(md);
    }

    /** Hashes everything {@code in} has left; the caller closes it. */
    static String of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return format(md);
    }

    static String of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        }
    }

    /** The digest itself when it is a well-formed sha256 digest (the only algorithm stored). */
    static String check(String digest) throws IOException {
        if (digest == null || !SHA256.matcher(digest).matches()) {
            throw new IOException("unsupported or malformed digest: " + digest);
        }
        return digest;
    }

    static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    /** Fails unless {@code file} hashes to {@code d.digest()} and has {@code d.size()} bytes. */
    static void verify(Path file, Descriptor d) throws IOException {
        long size = Files.size(file);
        if (size != d.size()) {
            throw new DigestMismatchException("blob " + d.digest() + " has " + size + " bytes, its descriptor says " + d.size());
        }
        String actual = of(file);
        if (!actual.equals(d.digest())) {
            throw new DigestMismatchException("blob " + d.digest() + " hashes to " + actual);
        }
    }
}
