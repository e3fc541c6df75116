package io.kubundle.itests.apibench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the benchmarks share: an HTTPS client for the API server named by the first two arguments
 * (base URL, CA certificate PEM), authenticated by the bearer token in KUBUNDLE_BENCH_TOKEN, as
 * itests/bench/lib.sh starts things; and the percentile they all report.
 */
final class BenchApi {
    static final ObjectMapper JSON = new ObjectMapper();

    final String base;
    final String token;
    final SSLContext ssl;
    final HttpClient client;

    BenchApi(String base, Path caPem) throws Exception {
        this.base = base;
        this.token = System.getenv("KUBUNDLE_BENCH_TOKEN");
        if (token == null || token.isEmpty()) {
            throw new IllegalStateException("KUBUNDLE_BENCH_TOKEN is not set");
        }
        this.ssl = sslContext(caPem);
        this.client = newClient();
    }

    HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static SSLContext sslContext(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends and insists on {@code expected}: the benchmarks stop on a wrong answer rather than measure it. */
    JsonNode call(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = send(request);
        if (response.statusCode() != expected) {
            throw new IllegalStateException(request.method() + " " + request.uri().getPath() + ": " + response.statusCode()
                    + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    JsonNode get(String path) throws Exception {
        return call(request(path).GET().build(), 200);
    }

    JsonNode post(String path, String body) throws Exception {
        return call(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), 201);
    }

    JsonNode mergePatch(String path, String body) throws Exception {
        return call(request(path).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), 200);
    }

    /** The q-quantile of sorted values (nearest rank), -1 for none. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
