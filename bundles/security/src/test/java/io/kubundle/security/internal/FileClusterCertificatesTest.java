package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.kubundle.api.auth.IssuedCertificate;

final class FileClusterCertificatesTest {
    @TempDir
    Path dataDir;

    @Test
    void theServerNamesAreKubernetesDefaultsTheHostAndTheExtras() {
        SubjectAltNames names = FileClusterCertificates.apiServerNames(Optional.of("Worker-1"),
                List.of("api.example.com, 192.168.1.10", "2001:db8::1"));
        assertEquals(List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local", "worker-1", "api.example.com"), List.copyOf(names.dnsNames()));
        assertEquals(List.of("127.0.0.1", "0:0:0:0:0:0:0:1", "10.96.0.1", "192.168.1.10", "2001:db8:0:0:0:0:0:1"),
                List.copyOf(names.ipAddresses()));
    }

    @Test
    void anInvalidHostNameIsLeftOutAndAnInvalidExtraRefused() {
        assertEquals(5, FileClusterCertificates.apiServerNames(Optional.of("bad host!"), List.of()).dnsNames().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileClusterCertificates.apiServerNames(Optional.empty(), List.of("[::1]")));
        assertTrue(e.getMessage().contains("[::1]"), e.getMessage());
    }

    @Test
    void writesAKubeconfigForTheAdmin() throws Exception {
        FileClusterCertificates certificates = new FileClusterCertificates(dataDir, 7443, List.of());
        Path file = dataDir.resolve("kubeconfig");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));

        Map<String, Object> kubeconfig = new Yaml().load(Files.readString(file));
        assertEquals("v1", kubeconfig.get("apiVersion"));
        assertEquals("Config", kubeconfig.get("kind"));
        assertEquals("kubundle", kubeconfig.get("current-context"));
        Map<String, Object> cluster = only(kubeconfig, "clusters", "kubundle", "cluster");
        assertEquals("https://127.0.0.1:7443", cluster.get("server"));
        assertEquals(certificates.caCertificate(), certificate(cluster.get("certificate-authority-data")));
        assertEquals(Map.of("cluster", "kubundle", "user", "kubernetes-admin"),
                only(kubeconfig, "contexts", "kubundle", "context"));

        Map<String, Object> user = only(kubeconfig, "users", "kubernetes-admin", "user");
        X509Certificate client = certificate(user.get("client-certificate-data"));
        assertEquals("CN=kubernetes-admin,O=system:masters", client.getSubjectX500Principal().getName());
        client.verify(certificates.caCertificate().getPublicKey());
        assertTrue(CertificateAuthority.keyMatches(privateKey(user.get("client-key-data")), client.getPublicKey()));
    }

    @Test
    void theKubeconfigFollowsThePort() throws Exception {
        new FileClusterCertificates(dataDir, 7443, List.of());
        FileClusterCertificates again = new FileClusterCertificates(dataDir, 9443, List.of());
        Map<String, Object> kubeconfig = new Yaml().load(Files.readString(dataDir.resolve("kubeconfig")));
        assertEquals("https://127.0.0.1:9443", only(kubeconfig, "clusters", "kubundle", "cluster").get("server"));
        assertEquals(again.caCertificate(), certificate(only(kubeconfig, "clusters", "kubundle", "cluster")
                .get("certificate-authority-data")));
    }

    @Test
    void servesTheFilesItKeeps() throws Exception {
        FileClusterCertificates certificates = new FileClusterCertificates(dataDir, 6443, List.of("api.example.com"));
        assertEquals(dataDir.resolve("pki/ca.crt"), certificates.caCertificateFile());
        assertEquals(certificates.caCertificate(), Pem.readCertificates(certificates.caCertificateFile()).get(0));
        assertEquals(Pem.readCertificates(dataDir.resolve("pki/apiserver.crt")), certificates.serverCertificateChain());
        assertEquals(Files.readString(dataDir.resolve("pki/apiserver.key")), Pem.privateKey(certificates.serverKey(),
                certificates.serverCertificateChain().get(0).getPublicKey()));
        assertTrue(SubjectAltNames.of(certificates.serverCertificateChain().get(0)).dnsNames().contains("api.example.com"));
    }

    @Test
    void issuesClientAndServerCertificates() throws Exception {
        FileClusterCertificates certificates = new FileClusterCertificates(dataDir, 6443, List.of());
        IssuedCertificate node = certificates.issueClientCertificate("system:node:worker-1", List.of("system:nodes"),
                Duration.ofDays(1));
        assertEquals("CN=system:node:worker-1,O=system:nodes", node.certificate().getSubjectX500Principal().getName());
        node.certificate().verify(certificates.caCertificate().getPublicKey());
        assertTrue(node.certificate().getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(1))));

        IssuedCertificate kubelet = certificates.issueServerCertificate(List.of("worker-1"), List.of("10.0.0.5"),
                Duration.ofDays(30));
        assertEquals("CN=worker-1", kubelet.certificate().getSubjectX500Principal().getName());
        assertEquals(SubjectAltNames.of(List.of("worker-1"), List.of("10.0.0.5")), SubjectAltNames.of(kubelet.certificate()));
        IssuedCertificate byAddress = certificates.issueServerCertificate(List.of(), List.of("10.0.0.6"), Duration.ofDays(1));
        assertEquals("CN=10.0.0.6", byAddress.certificate().getSubjectX500Principal().getName());

        assertThrows(IllegalArgumentException.class, () -> certificates.issueClientCertificate(" ", List.of(), Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> certificates.issueClientCertificate("u", List.of(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> certificates.issueServerCertificate(List.of(), List.of(), Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> certificates.issueServerCertificate(List.of(), List.of("worker-1"), Duration.ofDays(1)));
    }

    /** The one entry named {@code name} of a kubeconfig list, and its {@code field}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> only(Map<String, Object> kubeconfig, String list, String name, String field) {
        List<Map<String, Object>> entries = (List<Map<String, Object>>) kubeconfig.get(list);
        assertEquals(1, entries.size());
        assertEquals(name, entries.get(0).get("name"));
        return (Map<String, Object>) entries.get(0).get(field);
    }

    private static X509Certificate certificate(Object base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode((String) base64Pem)));
    }

    private static PrivateKey privateKey(Object base64Pem) throws Exception {
        String pem = new String(Base64.getDecoder().decode((String) base64Pem), StandardCharsets.US_ASCII);
        // fabric8 takes a key for RSA unless its header says EC
        assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----\n"), pem);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaPEMKeyConverter().getPrivateKey(((PEMKeyPair) parser.readObject()).getPrivateKeyInfo());
        }
    }
}
