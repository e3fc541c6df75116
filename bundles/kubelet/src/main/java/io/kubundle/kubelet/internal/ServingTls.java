package io.kubundle.kubelet.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.IssuedCertificate;

/**
 * What the kubelet's endpoint serves TLS with: its key and certificate chain, and the CA whose
 * client certificates it accepts (the API server's). Issued in-process where the cluster CA lives
 * ({@code up}, a master's own node); read from files on a node that joined over the network, as the
 * kubelet's {@code --tls-cert-file}, {@code --tls-private-key-file} and {@code --client-ca-file}.
 */
record ServingTls(PrivateKey key, List<X509Certificate> chain, X509Certificate clientCa) {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    ServingTls {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no serving certificate");
        }
    }

    /** A serving certificate for this node's name and address, issued by the cluster CA. */
    static ServingTls issued(ClusterCertificates certificates, String nodeName, String nodeIp) {
        IssuedCertificate serving = certificates.issueServerCertificate(List.of(nodeName, "localhost"),
                List.of(nodeIp, "127.0.0.1"), Duration.ofDays(365));
        return new ServingTls(serving.privateKey(), serving.certificateChain(), certificates.caCertificate());
    }

    /**
     * The key (PKCS#8 {@code PRIVATE KEY}, RSA or EC), the certificate chain and the client CA from
     * PEM files.
     *
     * @throws IOException if a file cannot be read or holds no usable PEM block, naming the file
     */
    static ServingTls fromFiles(Path certificateFile, Path keyFile, Path clientCaFile) throws IOException {
        List<X509Certificate> chain = certificates(certificateFile);
        List<X509Certificate> cas = certificates(clientCaFile);
        return new ServingTls(privateKey(keyFile), chain, cas.get(0));
    }

    private static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + ": no CERTIFICATE block");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.isEmpty()) {
            throw new IOException(file + ": no PRIVATE KEY block (PKCS#8 is needed)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next one
            }
        }
        throw new IOException(file + ": neither an EC nor an RSA private key");
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
            }
        }
        return blocks;
    }
}
