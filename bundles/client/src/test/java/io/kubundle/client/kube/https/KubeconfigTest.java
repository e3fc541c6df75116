package io.kubundle.client.kube.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {
    @TempDir
    Path dir;

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsTheCurrentContextWithInlineCertificates() throws Exception {
        KeyPair keys = PemFilesTest.ecKeys();
        String certificate = PemFilesTest.selfSigned(keys);
        String yaml = """
                apiVersion: v1
                kind: Config
                current-context: second
                clusters:
                - name: one
                  cluster: {server: "https://127.0.0.1:1111", certificate-authority-data: %1$s}
                - name: two
                  cluster: {server: "https://127.0.0.1:2222", certificate-authority-data: %1$s}
                contexts:
                - name: first
                  context: {cluster: one, user: admin}
                - name: second
                  context: {cluster: two, user: admin}
                users:
                - name: admin
                  user: {client-certificate-data: %1$s, client-key-data: %2$s}
                """.formatted(base64(certificate), base64(PemFilesTest.traditionalPem(keys)));
        Kubeconfig config = Kubeconfig.parse(yaml, dir);
        assertEquals("https://127.0.0.1:2222", config.server().toString());
        assertNull(config.token());
        assertEquals("TLS", config.tls().getProtocol());
    }

    @Test
    void readsFilesRelativeToTheKubeconfigAndTokenFiles() throws Exception {
        KeyPair keys = PemFilesTest.ecKeys();
        Files.writeString(dir.resolve("ca.crt"), PemFilesTest.selfSigned(keys));
        Files.writeString(dir.resolve("token"), "s3cret\n");
        Path file = dir.resolve("config");
        Files.writeString(file, """
                current-context: c
                clusters: [{name: k, cluster: {server: "https://localhost:6443", certificate-authority: ca.crt}}]
                contexts: [{name: c, context: {cluster: k, user: u}}]
                users: [{name: u, user: {tokenFile: token}}]
                """);
        Kubeconfig config = Kubeconfig.load(file);
        assertEquals("s3cret", config.token());
    }

    @Test
    void saysWhatIsMissing() {
        IOException noContext = assertThrows(IOException.class, () -> Kubeconfig.parse("""
                current-context: gone
                contexts: [{name: c, context: {cluster: k, user: u}}]
                """, dir));
        assertTrue(noContext.getMessage().contains("no context named gone"), noContext.getMessage());
        IOException notAMap = assertThrows(IOException.class, () -> Kubeconfig.parse("- a list", dir));
        assertTrue(notAMap.getMessage().contains("YAML map"));
    }

    @Test
    void refusesAliasBombs() {
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        assertThrows(Exception.class, () -> Kubeconfig.parse(bomb, dir));
    }
}
