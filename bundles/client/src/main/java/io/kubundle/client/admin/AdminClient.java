package io.kubundle.client.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Talks to the admin endpoint of a running Kubundle process. Every call returns the JSON the
 * endpoint answered with, and throws {@link AdminException} with a one-line message otherwise.
 */
public final class AdminClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    private static final String JAR_TYPE = "application/java-archive";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http;

    private AdminClient(URI url, String token) {
        String text = url.toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.token = token == null || token.isBlank() ? null : token.strip();
        // the admin endpoint (the JDK HttpServer) speaks only HTTP/1.1: skip the h2c upgrade attempt
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /**
     * The client for the process that uses {@code dataDir}, found through the {@code admin.url} and
     * {@code admin.token} files it writes there while it runs.
     */
    public static AdminClient forDataDir(Path dataDir) throws AdminException {
        Objects.requireNonNull(dataDir, "dataDir");
        String url = readSetting(dataDir, "admin.url");
        String token = readSetting(dataDir, "admin.token");
        try {
            return forUrl(URI.create(url), token);
        } catch (IllegalArgumentException e) {
            throw new AdminException("invalid admin URL in " + dataDir.resolve("admin.url") + ": " + url);
        }
    }

    /**
     * The client for the endpoint at {@code url} (http or https), sending {@code token} as a bearer
     * token; a null or blank token sends no {@code Authorization} header.
     */
    public static AdminClient forUrl(URI url, String token) {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || url.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        return new AdminClient(url, token);
    }

    /** GET /health. A degraded process answers 503 with the same document, so that is no error here. */
    public JsonNode health() throws AdminException {
        return send(request("/health").GET(), true);
    }

    /** GET /bundles: {@code {"bundles":[...]}}. */
    public JsonNode list() throws AdminException {
        return send(request("/bundles").GET(), false);
    }

    /** POST /bundles with the jar: the installed bundle. */
    public JsonNode install(Path jar) throws AdminException {
        byte[] body = readJar(jar);
        return send(request("/bundles").header("Content-Type", JAR_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), false);
    }

    /** PUT /bundles/{name} with the jar: the updated bundle. */
    public JsonNode update(String name, Path jar) throws AdminException {
        byte[] body = readJar(jar);
        return send(request("/bundles/" + segment(name)).header("Content-Type", JAR_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)), false);
    }

    /** DELETE /bundles/{name}: {@code {"uninstalled":bundle}}. */
    public JsonNode uninstall(String name) throws AdminException {
        return send(request("/bundles/" + segment(name)).DELETE(), false);
    }

    /**
     * POST /bundles/{oldName}/swap with the new jar:
     * {@code {"installed":bundle,"removed":bundle,"gapMillis":n,"interfaces":{...}}}.
     */
    public JsonNode swap(String oldName, Path newJar) throws AdminException {
        byte[] body = readJar(newJar);
        return send(request("/bundles/" + segment(oldName) + "/swap").header("Content-Type", JAR_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), false);
    }

    private static String readSetting(Path dataDir, String file) throws AdminException {
        Path path = dataDir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new AdminException("no Kubundle process is running with data dir " + dataDir + " (no " + path + ")");
        }
        try {
            return Files.readString(path).strip();
        } catch (IOException e) {
            throw new AdminException("cannot read " + path + ": " + e.getMessage(), 0, e);
        }
    }

    // Read up front so that a wrong path fails before anything reaches the process.
    private static byte[] readJar(Path jar) throws AdminException {
        Objects.requireNonNull(jar, "jar");
        if (!Files.isRegularFile(jar)) {
            throw new AdminException("no such file: " + jar);
        }
        try {
            return Files.readAllBytes(jar);
        } catch (IOException e) {
            throw new AdminException("no such file: " + jar, 0, e);
        }
    }

    private static String segment(String name) {
        Objects.requireNonNull(name, "name");
        // URLEncoder encodes for forms; a path segment wants %20, not +
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private JsonNode send(HttpRequest.Builder builder, boolean unavailableIsAnswer) throws AdminException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AdminException("cannot reach the admin endpoint at " + base + ": is the process running?", 0, e);
        } catch (HttpTimeoutException e) {
            throw new AdminException("the admin endpoint at " + base + " did not answer within "
                    + REQUEST_TIMEOUT.toSeconds() + " s", 0, e);
        } catch (IOException e) {
            throw new AdminException("request to the admin endpoint at " + base + " failed: " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted while waiting for the admin endpoint at " + base, 0, e);
        }
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        // a degraded health report comes with 503; an error document with 503 is still an error
        boolean answer = status / 100 == 2
                || (unavailableIsAnswer && status == 503 && json != null && !json.has("error"));
        if (!answer) {
            throw new AdminException(errorMessage(json, status), status, null);
        }
        if (json == null) {
            throw new AdminException("the admin endpoint at " + base + " answered with invalid JSON", status, null);
        }
        return json;
    }

    /** The body as JSON, or null when it is not JSON (a proxy's or a crashed handler's page). */
    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String errorMessage(JsonNode json, int status) {
        JsonNode error = json == null ? null : json.get("error");
        if (error != null && error.isTextual() && !error.asText().isBlank()) {
            return error.asText().strip().replaceAll("\\s*\\R\\s*", " ");
        }
        return "HTTP " + status;
    }
}
