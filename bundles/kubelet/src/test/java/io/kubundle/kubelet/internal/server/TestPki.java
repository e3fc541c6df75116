package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away cluster CA with a kubelet serving certificate for 127.0.0.1 and client
 * certificates, made by the JDK's keytool (the kubelet bundle has no certificate library).
 */
final class TestPki {
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** A key and its certificate. */
    record Issued(PrivateKey key, X509Certificate certificate) { }

    final X509Certificate ca;
    final Issued server;
    /** CN=kube-apiserver-kubelet-client, O=system:masters: what the API server presents. */
    final Issued apiServerClient;
    /** CN=system:node:other, O=system:nodes: a cluster certificate the kubelet must refuse. */
    final Issued nodeClient;

    private final Path dir;

    TestPki(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        this.dir = dir;
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=test-ca", "-ext", "bc:c", "-validity", "2",
                "-keystore", "ca.p12");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.crt");
        ca = certificate("ca.crt");
        server = issue("server", "CN=kubelet", "san=ip:127.0.0.1", "eku=serverAuth");
        apiServerClient = issue("apiserver", "CN=kube-apiserver-kubelet-client, O=system:masters", null, "eku=clientAuth");
        nodeClient = issue("node", "CN=system:node:other, O=system:nodes", null, "eku=clientAuth");
    }

    private Issued issue(String name, String subject, String san, String eku)
            throws IOException, InterruptedException, GeneralSecurityException {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", subject, "-keystore", name + ".p12");
        keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-validity", "2",
                "-infile", name + ".csr", "-outfile", name + ".crt", "-ext", eku));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(String[]::new));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            store.load(in, PASSWORD);
        }
        return new Issued((PrivateKey) store.getKey(name, PASSWORD), certificate(name + ".crt"));
    }

    private X509Certificate certificate(String file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + ": " + output);
        }
    }

    /** TLS for a client that presents {@code client} (or nothing, when null) and trusts the CA. */
    SSLContext clientContext(Issued client) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (client != null) {
            keys.setKeyEntry("client", client.key(), PASSWORD, new X509Certificate[] {client.certificate(), ca});
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }
}
