package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import io.kubundle.api.auth.AuthenticationException;
import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/** The real kubectl accepts our CA, serving certificate, client certificate and kubeconfig. */
final class KubectlTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final char[] PASSWORD = "test".toCharArray();

    @TempDir
    Path dataDir;

    @Test
    void kubectlTalksToAServerWithOurCertificates() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), KUBECTL + " is not installed");
        ClusterCertificates certificates = new FileClusterCertificates(dataDir, 6443, List.of());
        X509Authenticator authenticator = new X509Authenticator(certificates);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext(certificates)) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                parameters.setSSLParameters(ssl);
            }
        });
        server.createContext("/healthz", exchange -> answer(exchange, authenticator));
        server.start();
        try {
            // activated again, as on a restart with --port: same PKI, the kubeconfig points at this server
            new FileClusterCertificates(dataDir, server.getAddress().getPort(), List.of());
            ProcessBuilder builder = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig",
                    dataDir.resolve("kubeconfig").toString(), "--request-timeout=20s", "get", "--raw", "/healthz")
                    .redirectErrorStream(true);
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(name -> name.equalsIgnoreCase("KUBECONFIG")
                    || name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
            environment.put("HOME", dataDir.toString());
            Process kubectl = builder.start();
            kubectl.getOutputStream().close();
            assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl did not finish within 60 s");
            String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, kubectl.exitValue(), output);
            assertEquals("ok", output.strip());
        } finally {
            server.stop(0);
        }
    }

    /** "ok" for the kubeconfig's admin, as the API server's health endpoint will answer. */
    private static void answer(HttpExchange exchange, X509Authenticator authenticator) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()) {
            chain.add((X509Certificate) certificate);
        }
        int status;
        String body;
        try {
            UserInfo user = authenticator.authenticate(new Credentials(chain, null)).orElseThrow();
            boolean admin = user.name().equals(Pki.ADMIN_USER) && user.groups().contains(UserInfo.SYSTEM_MASTERS);
            status = admin ? 200 : 403;
            body = admin ? "ok" : "not the admin: " + user;
        } catch (AuthenticationException e) {
            status = 401;
            body = e.getMessage();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static SSLContext sslContext(ClusterCertificates certificates) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("apiserver", certificates.serverKey(), PASSWORD,
                certificates.serverCertificateChain().toArray(new Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", certificates.caCertificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }
}
