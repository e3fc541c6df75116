package io.kubundle.security.internal;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import io.kubundle.api.auth.IssuedCertificate;

/**
 * PEM in the forms Kubernetes tools write and read. Reading takes what kubeadm and openssl write
 * too (PKCS#1, SEC 1 or PKCS#8 keys), so an admin can bring their own CA.
 */
final class Pem {
    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {
    }

    /** Certificates as concatenated {@code CERTIFICATE} blocks. */
    static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                pem.append(block("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    /**
     * A private key as client-go's keyutil writes it: SEC 1 for EC (fabric8 recognises an EC key
     * only by that header), PKCS#1 for RSA, PKCS#8 for the rest.
     *
     * @param publicKey its public key, which SEC 1 carries beside the private one
     */
    static String privateKey(PrivateKey key, PublicKey publicKey) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)
                    && key instanceof ECPrivateKey ec) {
                // the JDK encodes the inner key without its curve, which Go then cannot read
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(), ec.getS(),
                        SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
                        info.getPrivateKeyAlgorithm().getParameters());
                return block("EC PRIVATE KEY", sec1.getEncoded());
            }
            if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
                return block("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
            }
            return block("PRIVATE KEY", info.getEncoded());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot encode a " + key.getAlgorithm() + " private key", e);
        }
    }

    /** The certificates of a PEM file, in file order. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no certificate");
        }
        return certificates;
    }

    /** The first private key of a PEM file; encrypted keys are not supported. */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new IOException(file + " holds no unencrypted private key");
    }

    /** Writes the key (owner only) first, then the certificate, each atomically. */
    static void write(IssuedCertificate issued, Path certificateFile, Path keyFile) throws IOException {
        SecureFiles.writeAtomically(keyFile, issued.privateKeyPem(), SecureFiles.OWNER_ONLY);
        SecureFiles.writeAtomically(certificateFile, issued.certificatePem(), SecureFiles.WORLD_READABLE);
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
