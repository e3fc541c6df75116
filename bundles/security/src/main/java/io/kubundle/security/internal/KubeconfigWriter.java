package io.kubundle.security.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Writes a kubeconfig with one cluster, one user with a client certificate, and one context
 * that is current. Plain string building: the file is small and fixed in shape, and kubectl,
 * client-go and fabric8 all read it. It takes PEM text and needs only the JDK, so the CLI can
 * take it over.
 */
final class KubeconfigWriter {
    static final String CLUSTER = "kubundle";
    static final String CONTEXT = "kubundle";

    private KubeconfigWriter() {
    }

    /** The kubeconfig's text; the PEM arguments are embedded as the {@code -data} fields. */
    static String render(String server, String caCertificatePem, String userName, String clientCertificatePem,
            String clientKeyPem) {
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + quote(CLUSTER) + "\n"
                + "  cluster:\n"
                + "    server: " + quote(server) + "\n"
                + "    certificate-authority-data: " + base64(caCertificatePem) + "\n"
                + "users:\n"
                + "- name: " + quote(userName) + "\n"
                + "  user:\n"
                + "    client-certificate-data: " + base64(clientCertificatePem) + "\n"
                + "    client-key-data: " + base64(clientKeyPem) + "\n"
                + "contexts:\n"
                + "- name: " + quote(CONTEXT) + "\n"
                + "  context:\n"
                + "    cluster: " + quote(CLUSTER) + "\n"
                + "    user: " + quote(userName) + "\n"
                + "current-context: " + quote(CONTEXT) + "\n"
                + "preferences: {}\n";
    }

    /** Writes the kubeconfig atomically, readable by its owner only: it holds a private key. */
    static void write(Path file, String server, String caCertificatePem, String userName, String clientCertificatePem,
            String clientKeyPem) throws IOException {
        SecureFiles.writeAtomically(file, render(server, caCertificatePem, userName, clientCertificatePem, clientKeyPem),
                SecureFiles.OWNER_ONLY);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** A YAML double-quoted scalar; its escapes are JSON's, which suffice here. */
    private static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
