package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.https.Kubeconfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Kubernetes' TLS bootstrap, as the kubelet does it with {@code --bootstrap-kubeconfig}: with a
 * bootstrap token, the node asks the cluster for a client certificate
 * ({@code kubernetes.io/kube-apiserver-client-kubelet}) and a serving certificate
 * ({@code kubernetes.io/kubelet-serving}) through CertificateSigningRequests, waits until they are
 * signed, and writes its kubeconfig. The keys never leave the node. A node that has valid
 * credentials in its data directory uses them and asks for nothing.
 */
final class NodeBootstrap {
    static final ResourceKind<ObjectNode> CSRS = ResourceKind.of("certificates.k8s.io/v1", "CertificateSigningRequest",
            "certificatesigningrequests", false, ObjectNode.class);
    private static final String CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final String SERVING_SIGNER = "kubernetes.io/kubelet-serving";
    /** Credentials closer to expiry than this are asked for again. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(1);

    /** The files a node runs with: its kubeconfig, and its endpoint's certificate, key and client CA. */
    record Credentials(Path kubeconfig, Path servingCertificate, Path servingKey, Path clientCa) { }

    private final Path dir;
    private final Consumer<String> log;

    /** @param dataDir the node's data directory; the credentials go to its {@code pki/} */
    NodeBootstrap(Path dataDir, Consumer<String> log) {
        this.dir = dataDir.resolve("pki");
        this.log = log;
    }

    Credentials credentials() {
        return new Credentials(dir.resolve("kubelet.kubeconfig"), dir.resolve("kubelet.crt"), dir.resolve("kubelet.key"),
                dir.resolve("ca.crt"));
    }

    /**
     * The node's credentials: those on disk if they are valid for another day, else new ones
     * signed through the API server at {@code server}.
     *
     * @param token the bootstrap token, {@code ID.SECRET}
     * @param caFile the cluster CA, which the API server's certificate must chain to
     * @param timeout how long to wait for the requests to be approved and signed
     */
    Credentials join(URI server, String token, Path caFile, String nodeName, Duration timeout)
            throws CommandException, IOException, InterruptedException {
        Credentials credentials = credentials();
        if (valid(dir.resolve("kubelet-client.crt")) && valid(credentials.servingCertificate())
                && Files.isRegularFile(credentials.kubeconfig())) {
            log.accept("using the credentials in " + dir);
            return credentials;
        }
        if (!token.matches("[a-z0-9]{6}\\.[a-z0-9]{16}")) {
            throw new CommandException("--token: a bootstrap token is ID.SECRET, 6 and 16 lower-case letters or digits"
                    + " (kubundle token create makes one)");
        }
        String ca = Files.readString(caFile, StandardCharsets.US_ASCII);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        KubeClient client = new KubeClient(Kubeconfig.parse(kubeconfig(server, base64(ca), "token: " + token), dir).transport());
        ResourceClient<ObjectNode> csrs = client.resources(CSRS);
        X500Name subject = new X500Name("CN=system:node:" + nodeName + ",O=system:nodes");
        KeyPair clientKey = newKey();
        String clientCertificate = signed(csrs, nodeName, CLIENT_SIGNER, csr(subject, clientKey, null),
                List.of("digital signature", "key encipherment", "client auth"), timeout);
        KeyPair servingKey = newKey();
        String servingCertificate = signed(csrs, nodeName, SERVING_SIGNER, csr(subject, servingKey, servingNames(nodeName)),
                List.of("digital signature", "key encipherment", "server auth"), timeout);
        write(dir.resolve("ca.crt"), ca);
        write(dir.resolve("kubelet-client.key"), pem(clientKey.getPrivate()));
        write(dir.resolve("kubelet-client.crt"), clientCertificate);
        write(credentials.servingKey(), pem(servingKey.getPrivate()));
        write(credentials.servingCertificate(), servingCertificate);
        write(credentials.kubeconfig(), kubeconfig(server, null,
                "client-certificate: kubelet-client.crt\n    client-key: kubelet-client.key"));
        log.accept("node " + nodeName + " joined " + server + "; credentials in " + dir);
        return credentials;
    }

    /** Creates the request and waits for its certificate; a denied or failed request is an error. */
    private String signed(ResourceClient<ObjectNode> csrs, String nodeName, String signer, String request, List<String> usages,
            Duration timeout) throws CommandException, IOException, InterruptedException {
        ObjectNode csr = JsonNodeFactory.instance.objectNode();
        csr.put("apiVersion", CSRS.apiVersion()).put("kind", CSRS.kind());
        csr.putObject("metadata").put("generateName", "node-csr-" + nodeName + "-");
        ObjectNode spec = csr.putObject("spec");
        spec.put("request", base64(request)).put("signerName", signer);
        usages.forEach(spec.putArray("usages")::add);
        String name;
        try {
            name = csrs.create(csr).path("metadata").path("name").asText();
        } catch (ApiStatusException e) {
            throw new CommandException("the API server refused the node's certificate request: " + e.getMessage(), e);
        }
        log.accept("asked for a " + signer + " certificate: CertificateSigningRequest " + name
                + " (approved automatically, or with kubectl certificate approve " + name + ")");
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode status;
            try {
                status = csrs.get(null, name).path("status");
            } catch (ApiStatusException e) {
                throw new CommandException("CertificateSigningRequest " + name + ": " + e.getMessage(), e);
            }
            for (JsonNode condition : status.path("conditions")) {
                String type = condition.path("type").asText();
                if (type.equals("Denied") || type.equals("Failed")) {
                    throw new CommandException("CertificateSigningRequest " + name + " was " + type.toLowerCase() + ": "
                            + condition.path("reason").asText() + " " + condition.path("message").asText());
                }
            }
            String certificate = status.path("certificate").asText("");
            if (!certificate.isEmpty()) {
                return new String(Base64.getDecoder().decode(certificate), StandardCharsets.US_ASCII);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CommandException("CertificateSigningRequest " + name + " was not signed within " + timeout.toSeconds()
                        + " s: approve it with kubectl certificate approve " + name);
            }
            Thread.sleep(200);
        }
    }

    private static String csr(X500Name subject, KeyPair key, GeneralNames sans) throws IOException {
        try {
            JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic());
            if (sans != null) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false, sans);
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            PKCS10CertificationRequest request = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
            return pem(request);
        } catch (OperatorCreationException e) {
            throw new IOException("cannot sign the certificate request: " + e.getMessage(), e);
        }
    }

    /** The node's name and host name, and every IPv4 address of this network namespace but loopback. */
    private static GeneralNames servingNames(String nodeName) throws IOException {
        Set<String> dns = new LinkedHashSet<>(List.of(nodeName));
        dns.add(InetAddress.getLocalHost().getHostName());
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        try {
            for (NetworkInterface link : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(link.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            throw new IOException("cannot list this host's addresses: " + e.getMessage(), e);
        }
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static KeyPair newKey() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a key: " + e.getMessage(), e);
        }
    }

    /** Whether the PEM certificate file exists and is valid for at least another day. */
    private static boolean valid(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
            return certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private static String kubeconfig(URI server, String caData, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubundle
                  cluster:
                    server: %s
                    %s
                users:
                - name: node
                  user:
                    %s
                contexts:
                - name: node
                  context: {cluster: kubundle, user: node}
                current-context: node
                """.formatted(server, caData == null ? "certificate-authority: ca.crt" : "certificate-authority-data: " + caData, user);
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            // PKCS#8, which the kubelet and the client read whatever the key's algorithm
            writer.writeObject(object instanceof PrivateKey key ? new PemObject("PRIVATE KEY", key.getEncoded()) : object);
        }
        return text.toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes owner-only, through a temporary file, so a crash never leaves half a key. */
    private static void write(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
