package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes' TLS bootstrap against {@code kubundle master}, driven by the real kubectl and
 * openssl: a bootstrap token from {@code kubundle token create} creates a node's
 * CertificateSigningRequest, which is approved and signed on its own; the certificate verifies
 * against the cluster CA and authenticates as the node; other client certificates wait for
 * {@code kubectl certificate approve|deny}; bad requests and bad tokens are refused.
 */
class NodeBootstrapIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess master;
    static Kubectl admin;
    static String server;
    static Path ca;
    static Path kubeconfig;
    static String token;

    @BeforeAll
    static void startMaster() throws Exception {
        distribution = Distribution.copyInto(dir);
        int port = RolesIT.freePort();
        Path dataDir = dir.resolve("data");
        master = KubundleProcess.start(distribution, dataDir, "master", "--port", Integer.toString(port));
        server = "https://127.0.0.1:" + port;
        ca = dataDir.resolve("pki/ca.crt");
        kubeconfig = dataDir.resolve("kubeconfig");
        admin = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
        token = kubundle("token", "create", "--kubeconfig", kubeconfig.toString(), "--description", "NodeBootstrapIT").strip();
        assertTrue(token.matches("[a-z0-9]{6}\\.[a-z0-9]{16}"), token);
        Files.writeString(dir.resolve("empty.kubeconfig"), "apiVersion: v1\nkind: Config\n");
    }

    @AfterAll
    static void stopMaster() throws Exception {
        if (master != null) {
            master.close();
        }
    }

    private static String kubundle(String... args) throws Exception {
        Distribution.Result result = distribution.kubundle(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err() + result.out());
        return result.out();
    }

    /** kubectl with the given credentials flags and no kubeconfig of its own. */
    private static Distribution.Result kubectlAs(List<String> credentials, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Kubectl.BINARY.toString(), "--kubeconfig", dir.resolve("empty.kubeconfig").toString(),
                "--cache-dir", dir.resolve("kube-cache-" + Math.abs(credentials.hashCode())).toString(), "--server", server,
                "--certificate-authority", ca.toString()));
        command.addAll(credentials);
        command.addAll(List.of(args));
        return Distribution.run(command);
    }

    private static List<String> bearer(String value) {
        return List.of("--token", value);
    }

    private static String ok(Distribution.Result result) {
        assertEquals(0, result.exitCode(), result.err() + result.out());
        return result.out();
    }

    /** A new key and PKCS#10 request made by openssl; returns the request's file. */
    private static Path openssl(String name, String subject, String... extensions) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".csr").toString(),
                "-subj", subject));
        for (String extension : extensions) {
            command.addAll(List.of("-addext", extension));
        }
        Distribution.Result result = Distribution.run(command);
        assertEquals(0, result.exitCode(), result.err());
        return dir.resolve(name + ".csr");
    }

    /** A CertificateSigningRequest manifest for the request file. */
    private static Path manifest(String name, Path request, String signer, String... usages) throws Exception {
        String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(request));
        StringBuilder yaml = new StringBuilder("apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: "
                + name + "\nspec:\n  request: " + base64 + "\n  signerName: " + signer + "\n  usages:\n");
        for (String usage : usages) {
            yaml.append("  - ").append(usage).append('\n');
        }
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    /** The CSR's certificate once it has one (30 s at most), written to NAME.crt. */
    private static Path certificate(String name) throws Exception {
        String[] issued = new String[1];
        Await.until(() -> {
            issued[0] = admin.must("get", "csr", name, "-o", "jsonpath={.status.certificate}").strip();
            return !issued[0].isEmpty();
        }, () -> name + " got no certificate: " + admin.must("get", "csr", name, "-o", "yaml"), 30);
        Path file = dir.resolve(name + ".crt");
        Files.write(file, Base64.getDecoder().decode(issued[0]));
        return file;
    }

    private static String condition(String name) throws Exception {
        String row = admin.ok("get", "csr", name, "--no-headers");
        String[] cells = row.strip().split("\\s+");
        return cells[cells.length - 1];
    }

    @Test
    void aNodeJoinsWithABootstrapTokenAndAuthenticatesWithItsSignedCertificate() throws Exception {
        Path request = openssl("n1", "/O=system:nodes/CN=system:node:n1");
        Path csr = manifest("node-csr-n1", request, "kubernetes.io/kube-apiserver-client-kubelet", "digital signature",
                "key encipherment", "client auth");
        ok(kubectlAs(bearer(token), "create", "-f", csr.toString()));
        Path certificate = certificate("node-csr-n1");
        String requestor = admin.ok("get", "csr", "node-csr-n1", "-o", "jsonpath={.spec.username} {.spec.groups}");
        assertTrue(requestor.startsWith("system:bootstrap:" + token.substring(0, 6) + " "), requestor);
        assertTrue(requestor.contains("system:bootstrappers:kubeadm:default-node-token"), requestor);
        assertEquals("Approved,Issued", condition("node-csr-n1"));
        String table = admin.ok("get", "csr");
        assertTrue(table.lines().findFirst().orElse("").matches("NAME\\s+AGE\\s+SIGNERNAME\\s+REQUESTOR\\s+REQUESTEDDURATION\\s+CONDITION"),
                table);

        Distribution.Result verify = Distribution.run(List.of("openssl", "verify", "-CAfile", ca.toString(), certificate.toString()));
        assertEquals(0, verify.exitCode(), verify.err() + verify.out());
        assertTrue(verify.out().contains(": OK"), verify.out());

        List<String> node = List.of("--client-certificate", certificate.toString(), "--client-key", dir.resolve("n1.key").toString());
        Files.writeString(dir.resolve("node-n1.yaml"), "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n");
        ok(kubectlAs(node, "create", "-f", dir.resolve("node-n1.yaml").toString()));
        assertEquals("n1", ok(kubectlAs(node, "get", "node", "n1", "-o", "jsonpath={.metadata.name}")));

        // the node renews its certificate: the request names it, in system:nodes, and is approved as its own
        Path renewal = manifest("node-csr-n1-renewal", openssl("n1-renewal", "/O=system:nodes/CN=system:node:n1"),
                "kubernetes.io/kube-apiserver-client-kubelet", "digital signature", "client auth");
        ok(kubectlAs(node, "create", "-f", renewal.toString()));
        certificate("node-csr-n1-renewal");
        String renewedBy = admin.ok("get", "csr", "node-csr-n1-renewal", "-o", "jsonpath={.spec.username} {.spec.groups}");
        assertTrue(renewedBy.startsWith("system:node:n1 "), renewedBy);
        assertTrue(renewedBy.contains("system:nodes"), renewedBy);
        assertTrue(admin.ok("get", "csr", "node-csr-n1-renewal", "-o", "jsonpath={.status.conditions[0].message}")
                .contains("self kubelet client certificate"));

        // a kubelet serving certificate for the node's names and addresses
        Path serving = manifest("node-csr-n1-serving", openssl("n1-serving", "/O=system:nodes/CN=system:node:n1",
                "subjectAltName=DNS:n1,IP:127.0.0.1"), "kubernetes.io/kubelet-serving", "digital signature", "key encipherment",
                "server auth");
        ok(kubectlAs(bearer(token), "create", "-f", serving.toString()));
        Path servingCertificate = certificate("node-csr-n1-serving");
        Distribution.Result purpose = Distribution.run(List.of("openssl", "verify", "-CAfile", ca.toString(), "-purpose", "sslserver",
                servingCertificate.toString()));
        assertEquals(0, purpose.exitCode(), purpose.err() + purpose.out());
        Distribution.Result text = Distribution.run(List.of("openssl", "x509", "-in", servingCertificate.toString(), "-noout", "-text"));
        assertTrue(text.out().contains("DNS:n1, IP Address:127.0.0.1"), text.out());
    }

    @Test
    void otherClientCertificatesWaitForAnAdminToApproveOrDeny() throws Exception {
        Path approved = manifest("jane", openssl("jane", "/O=dev/CN=jane"), "kubernetes.io/kube-apiserver-client", "client auth");
        Path denied = manifest("mallory", openssl("mallory", "/O=dev/CN=mallory"), "kubernetes.io/kube-apiserver-client",
                "client auth");
        admin.ok("create", "-f", approved.toString());
        admin.ok("create", "-f", denied.toString());
        Thread.sleep(2_000);
        assertEquals("Pending", condition("jane"));
        assertEquals("", admin.ok("get", "csr", "jane", "-o", "jsonpath={.status.certificate}"));

        admin.ok("certificate", "approve", "jane");
        Path certificate = certificate("jane");
        assertEquals("Approved,Issued", condition("jane"));
        List<String> jane = List.of("--client-certificate", certificate.toString(), "--client-key", dir.resolve("jane.key").toString());
        ok(kubectlAs(jane, "get", "namespaces"));

        admin.ok("certificate", "deny", "mallory");
        Thread.sleep(2_000);
        assertEquals("Denied", condition("mallory"));
        assertEquals("", admin.ok("get", "csr", "mallory", "-o", "jsonpath={.status.certificate}"));
        Distribution.Result approveDenied = admin.run("certificate", "approve", "mallory");
        assertNotEquals(0, approveDenied.exitCode(), "Approved and Denied exclude each other: " + approveDenied.out());
    }

    @Test
    void theSignerFailsWhatItsRulesRefuseAndLeavesOtherSignersAlone() throws Exception {
        Path notANode = manifest("not-a-node", openssl("not-a-node", "/O=dev/CN=jane"), "kubernetes.io/kube-apiserver-client-kubelet",
                "digital signature", "client auth");
        Path custom = manifest("custom", openssl("custom", "/CN=custom"), "example.com/custom", "client auth");
        admin.ok("create", "-f", notANode.toString());
        admin.ok("create", "-f", custom.toString());
        Thread.sleep(2_000);
        assertEquals("Pending", condition("not-a-node"), "a kubelet client certificate for a non-node is not approved automatically");
        admin.ok("certificate", "approve", "not-a-node", "custom");
        Await.until(() -> admin.must("get", "csr", "not-a-node", "--no-headers").contains("Approved,Failed"),
                () -> admin.must("get", "csr", "not-a-node", "-o", "yaml"), 30);
        assertEquals("SignerValidationFailure", admin.ok("get", "csr", "not-a-node", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}"));
        assertEquals("", admin.ok("get", "csr", "not-a-node", "-o", "jsonpath={.status.certificate}"));
        Thread.sleep(2_000);
        assertEquals("Approved", condition("custom"), "another signer's request is not this cluster's to sign");
    }

    @Test
    void aGarbageRequestIsInvalidWithTheFieldNamed() throws Exception {
        Path file = dir.resolve("garbage.yaml");
        Files.writeString(file, "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: garbage\n"
                + "spec:\n  request: " + Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.UTF_8))
                + "\n  signerName: kubernetes.io/kube-apiserver-client\n  usages:\n  - client auth\n  expirationSeconds: 60\n");
        Distribution.Result result = kubectlAs(bearer(token), "create", "-f", file.toString());
        assertNotEquals(0, result.exitCode(), result.out());
        assertTrue(result.err().contains("is invalid"), result.err());
        assertTrue(result.err().contains("spec.request"), result.err());
        assertTrue(result.err().contains("spec.expirationSeconds"), result.err());
    }

    @Test
    void unknownExpiredAndDeletedTokensAreUnauthorizedAndTokensMayOnlyAskForCertificates() throws Exception {
        assertUnauthorized(kubectlAs(bearer("aaaaaa.bbbbbbbbbbbbbbbb"), "get", "csr"));

        String shortLived = kubundle("token", "create", "--kubeconfig", kubeconfig.toString(), "--ttl", "2s").strip();
        Thread.sleep(3_500);
        assertUnauthorized(kubectlAs(bearer(shortLived), "get", "csr"));

        String deleted = kubundle("token", "create", "--kubeconfig", kubeconfig.toString()).strip();
        ok(kubectlAs(bearer(deleted), "get", "csr"));
        String list = kubundle("token", "list", "--kubeconfig", kubeconfig.toString());
        assertTrue(list.startsWith("TOKEN") && list.contains(deleted), list);
        kubundle("token", "delete", "--kubeconfig", kubeconfig.toString(), deleted.substring(0, 6));
        Await.until(() -> {
            try {
                return kubectlAs(bearer(deleted), "get", "csr").exitCode() != 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> "the deleted token is still accepted", 10);
        assertUnauthorized(kubectlAs(bearer(deleted), "get", "csr"));

        Distribution.Result secrets = kubectlAs(bearer(token), "get", "secrets", "-n", "kube-system");
        assertNotEquals(0, secrets.exitCode(), secrets.out());
        assertTrue(secrets.err().contains("Forbidden") || secrets.err().contains("forbidden"), secrets.err());
    }

    private static void assertUnauthorized(Distribution.Result result) {
        assertNotEquals(0, result.exitCode(), result.out());
        // kubectl's words for a 401
        assertTrue(result.err().contains("Unauthorized") || result.err().contains("provide credentials"), result.err());
    }
}
