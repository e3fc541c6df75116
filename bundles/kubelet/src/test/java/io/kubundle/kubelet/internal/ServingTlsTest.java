package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingTlsTest {
    @TempDir
    Path dir;

    @Test
    void readsAnEcOrRsaKeyWithItsCertificateAndTheClientCa() throws Exception {
        for (String algorithm : List.of("ec", "rsa")) {
            openssl("req", "-x509", "-newkey", algorithm, "-pkeyopt", algorithm.equals("ec") ? "ec_paramgen_curve:P-256"
                    : "rsa_keygen_bits:2048", "-nodes", "-keyout", algorithm + ".key", "-out", algorithm + ".crt", "-subj",
                    "/CN=node-" + algorithm, "-days", "1");
        }
        ServingTls tls = ServingTls.fromFiles(dir.resolve("ec.crt"), dir.resolve("ec.key"), dir.resolve("rsa.crt"));

        assertEquals("CN=node-ec", tls.chain().get(0).getSubjectX500Principal().getName());
        assertEquals("CN=node-rsa", tls.clientCa().getSubjectX500Principal().getName());
        // the key is the certificate's: what it signs, the certificate's public key verifies
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(tls.key());
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(tls.chain().get(0));
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature));
        assertEquals("RSA", ServingTls.fromFiles(dir.resolve("rsa.crt"), dir.resolve("rsa.key"), dir.resolve("ec.crt"))
                .key().getAlgorithm());
    }

    @Test
    void aFileWithoutTheRightBlockIsNamedInTheError() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem",
                "-out", "c.pem", "-subj", "/CN=x", "-days", "1");
        IOException swapped = assertThrows(IOException.class,
                () -> ServingTls.fromFiles(dir.resolve("k.pem"), dir.resolve("c.pem"), dir.resolve("c.pem")));
        assertTrue(swapped.getMessage().contains("k.pem: no CERTIFICATE block"), swapped.getMessage());
        IOException noKey = assertThrows(IOException.class,
                () -> ServingTls.fromFiles(dir.resolve("c.pem"), dir.resolve("c.pem"), dir.resolve("c.pem")));
        assertTrue(noKey.getMessage().contains("c.pem: no PRIVATE KEY block"), noKey.getMessage());
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
    }
}
