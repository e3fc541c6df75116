package io.kubundle.client.kube.https;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM that kubeconfigs carry: certificates, and private keys in the three forms
 * client-go writes (PKCS#8, SEC 1 for EC, PKCS#1 for RSA). The JDK reads only PKCS#8, so the
 * other two are wrapped into it: their DER is the PKCS#8 payload as it is.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** 1.2.840.10045.2.1, id-ecPublicKey. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    /** 1.2.840.113549.1.1.1 rsaEncryption, then NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
        0x05, 0x00};

    private PemFiles() {
    }

    static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            if (block.group(1).equals("CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(decode(block.group(2)))));
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no CERTIFICATE block in the PEM");
        }
        return certificates;
    }

    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            byte[] der = decode(block.group(2));
            switch (block.group(1)) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der);
                }
                case "EC PRIVATE KEY" -> {
                    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                            wrap(concat(EC_PUBLIC_KEY_OID, sec1Curve(der)), der)));
                }
                case "RSA PRIVATE KEY" -> {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrap(RSA_ALGORITHM, der)));
                }
                default -> {
                    // not a key: look further
                }
            }
        }
        throw new GeneralSecurityException("no private key in the PEM (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("an unsupported PKCS#8 private key");
    }

    /**
     * The curve OID (with its tag and length) of a SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1,
     * OCTET STRING key, [0] { OID curve }, [1] public key }.
     */
    static byte[] sec1Curve(byte[] der) throws GeneralSecurityException {
        Der sequence = new Der(der, 0).expect(0x30);
        int position = sequence.contentStart;
        Der version = new Der(der, position).expect(0x02);
        Der key = new Der(der, version.end).expect(0x04);
        if (key.end >= sequence.end) {
            throw new GeneralSecurityException("the EC private key does not name its curve");
        }
        Der parameters = new Der(der, key.end).expect(0xa0);
        Der curve = new Der(der, parameters.contentStart).expect(0x06);
        return java.util.Arrays.copyOfRange(der, curve.start, curve.end);
    }

    /** PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { algorithm }, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        byte[] body = concat(new byte[] {0x02, 0x01, 0x00}, element(0x30, algorithm), element(0x04, key));
        return element(0x30, body);
    }

    private static byte[] element(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.strip().getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element's boundaries: tag at {@code start}, content from {@code contentStart} to {@code end}. */
    private static final class Der {
        final int start;
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int start) throws GeneralSecurityException {
            if (start + 2 > der.length) {
                throw new GeneralSecurityException("truncated DER");
            }
            this.start = start;
            this.tag = der[start] & 0xff;
            int length = der[start + 1] & 0xff;
            int position = start + 2;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || position + bytes > der.length) {
                    throw new GeneralSecurityException("bad DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[position++] & 0xff);
                }
            }
            this.contentStart = position;
            this.end = position + length;
            if (end > der.length) {
                throw new GeneralSecurityException("truncated DER");
            }
        }

        Der expect(int expectedTag) throws GeneralSecurityException {
            if (tag != expectedTag) {
                throw new GeneralSecurityException("unexpected DER tag " + tag + ", wanted " + expectedTag);
            }
            return this;
        }
    }
}
