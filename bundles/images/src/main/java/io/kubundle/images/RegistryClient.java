package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.api.runtime.ImageService.RegistryCredentials;

/**
 * One repository of a registry, through the OCI distribution API: manifests and blobs, with the
 * authentication the registry asks for in its {@code WWW-Authenticate} challenge (a Bearer token
 * from its token server, anonymous or with the registry's credentials as Basic, or Basic itself).
 * {@code docker.io} is {@code registry-1.docker.io}; loopback registries speak plain HTTP, as
 * Docker treats them as insecure, every other one HTTPS. Redirects (to a blob store) are followed
 * without the registry's Authorization header. Nothing is retried.
 */
final class RegistryClient {
    static final String DOCKER_HUB = "registry-1.docker.io";
    /** Schema 1 last and with a lower quality, so that a registry that has both serves schema 2 or OCI. */
    static final String ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST_V1_SIGNED + "; q=0.5", MediaTypes.DOCKER_MANIFEST_V1 + "; q=0.5");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final int MAX_MANIFEST = 4 << 20;
    private static final int MAX_REDIRECTS = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(1);

    private final HttpClient http;
    private final ImageReference ref;
    private final URI base;
    private final RegistryCredentials credentials;
    private final Duration progressDeadline;
    /** The Authorization header the registry accepted, for every later request of this pull. */
    private String authorization;

    RegistryClient(HttpClient http, ImageReference ref, List<RegistryCredentials> credentials, Duration progressDeadline) {
        this.http = http;
        this.progressDeadline = progressDeadline;
        this.ref = ref;
        String host = ref.domain().equals(ImageReference.DEFAULT_DOMAIN) ? DOCKER_HUB : ref.domain();
        String hostOnly = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        this.base = URI.create((LOOPBACK.contains(hostOnly) ? "http" : "https") + "://" + host + "/v2/" + ref.path() + "/");
        this.credentials = credentials.stream().filter(c -> registry(c.registry()).equals(ref.domain())).findFirst().orElse(null);
    }

    /** A manifest or index and what the registry says it is. */
    record Manifest(byte[] bytes, String mediaType, String digest) {
        boolean isIndex() throws IOException {
            return MediaTypes.isIndex(mediaType) || Json.read(bytes, "manifest " + digest).has("manifests");
        }

        /** Docker's schema 1, by its media type or (served as {@code application/json}) by its schemaVersion. */
        boolean isSchema1() throws IOException {
            return MediaTypes.isSchema1(mediaType)
                    || !MediaTypes.isIndex(mediaType) && Json.read(bytes, "manifest " + digest).path("schemaVersion").asInt() == 1;
        }
    }

    /**
     * The digest the registry says {@code tag}'s manifest has ({@code Docker-Content-Digest} of a
     * HEAD request, which Docker Hub does not count as a pull), or empty when it does not say.
     * Only a hint: the content of a digest is checked when it is fetched.
     */
    Optional<String> manifestDigest(String tag) throws IOException {
        HttpResponse<InputStream> r = request("HEAD", base.resolve("manifests/" + tag), ACCEPT);
        try (InputStream in = r.body()) {
            Optional<String> digest = r.headers().firstValue("Docker-Content-Digest").map(String::strip);
            return r.statusCode() == 200 ? digest.filter(d -> d.matches("sha256:[0-9a-f]{64}")) : Optional.empty();
        }
    }

    /** The manifest that {@code tagOrDigest} names; a digest must match the content. */
    Manifest manifest(String tagOrDigest) throws IOException {
        HttpResponse<InputStream> r = get(base.resolve("manifests/" + tagOrDigest), ACCEPT);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw failure(r, in, "manifest " + tagOrDigest);
            }
            byte[] bytes = in.readNBytes(MAX_MANIFEST + 1);
            if (bytes.length > MAX_MANIFEST) {
                throw new IOException("manifest " + tagOrDigest + " is larger than " + MAX_MANIFEST + " bytes");
            }
            String digest = Digests.of(bytes);
            Optional<String> header = r.headers().firstValue("Content-Type").map(t -> t.replaceFirst(";.*", "").strip());
            String type = header.isPresent() ? header.get()
                    : Json.read(bytes, "manifest " + digest).path("mediaType").asText(MediaTypes.OCI_MANIFEST);
            Manifest manifest = new Manifest(bytes, type, digest);
            if (manifest.isSchema1()) {
                // a signed manifest's digest is its JWS payload's (registries re-sign what they serve)
                manifest = new Manifest(bytes, type, Digests.of(Schema1.payload(bytes, "schema 1 manifest " + digest)));
            }
            if (tagOrDigest.startsWith("sha256:") && !tagOrDigest.equals(manifest.digest())) {
                throw new DigestMismatchException("the registry's manifest " + tagOrDigest + " hashes to " + manifest.digest());
            }
            return manifest;
        }
    }

    /**
     * Streams the blob into {@code target}, failing unless it has the descriptor's size (unless
     * negative: unknown, as in a schema 1 manifest) and digest, or when nothing arrives for the
     * progress deadline.
     */
    void blob(Descriptor d, Path target) throws IOException {
        HttpResponse<InputStream> r = get(base.resolve("blobs/" + d.digest()), null);
        MessageDigest md = Digests.sha256();
        long size = 0;
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw failure(r, in, "blob " + d.digest());
            }
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), md);
                    ProgressDeadline deadline = new ProgressDeadline(in, progressDeadline, d.digest())) {
                byte[] buffer = new byte[64 * 1024];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; size += n) {
                        deadline.progress();
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    if (deadline.expired()) {
                        throw new IOException("the registry sent nothing of blob " + d.digest() + " for "
                                + progressDeadline.toMillis() / 1000.0 + " s (" + size + " of " + (d.size() < 0 ? "?" : d.size())
                                + " bytes arrived)", e);
                    }
                    throw e;
                }
            }
        }
        String actual = Digests.format(md);
        if (d.size() >= 0 && size != d.size() || !actual.equals(d.digest())) {
            throw new DigestMismatchException("blob " + d.digest() + " arrived as " + size + " bytes hashing to "
                    + actual + (d.size() < 0 ? "" : " (expected " + d.size() + " bytes)"));
        }
    }

    private HttpResponse<InputStream> get(URI uri, String accept) throws IOException {
        return request("GET", uri, accept);
    }

    private HttpResponse<InputStream> request(String method, URI uri, String accept) throws IOException {
        boolean authenticated = false;
        for (int redirects = 0; ; ) {
            boolean registry = uri.getAuthority().equals(base.getAuthority());
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (accept != null) {
                request.header("Accept", accept);
            }
            if (registry && authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> r = send(request.build());
            int status = r.statusCode();
            if (status == 401 && registry && !authenticated) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                r.body().close();
                authorization = authenticate(challenge);
                authenticated = true;
            } else if (status / 100 == 3 && r.headers().firstValue("Location").isPresent()) {
                r.body().close();
                if (++redirects > MAX_REDIRECTS) {
                    throw new IOException("more than " + MAX_REDIRECTS + " redirects for " + uri);
                }
                uri = uri.resolve(r.headers().firstValue("Location").get());
            } else {
                return r;
            }
        }
    }

    /** The Authorization header that answers {@code challenge}. */
    private String authenticate(String challenge) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(), m.group(2));
        }
        String scheme = challenge.strip().split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            if (credentials == null) {
                throw new IOException("unauthorized: " + ref.domain() + " requires a user name and password, and none was given");
            }
            return basic();
        }
        if (!scheme.equalsIgnoreCase("Bearer") || !params.containsKey("realm")) {
            throw new IOException("unauthorized: " + ref.domain() + " asks for authentication this client does not speak: " + challenge);
        }
        StringBuilder url = new StringBuilder(params.get("realm"));
        url.append(url.indexOf("?") < 0 ? '?' : '&').append("scope=")
                .append(encode(params.getOrDefault("scope", "repository:" + ref.path() + ":pull")));
        if (params.containsKey("service")) {
            url.append("&service=").append(encode(params.get("service")));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(REQUEST_TIMEOUT).GET();
        if (credentials != null) {
            request.header("Authorization", basic());
        }
        HttpResponse<InputStream> r = send(request.build());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw failure(r, in, "a token from " + params.get("realm"));
            }
            JsonNode token = Json.read(in.readNBytes(MAX_MANIFEST), "the token server's answer");
            String value = token.path("token").asText(token.path("access_token").asText(""));
            if (value.isEmpty()) {
                throw new IOException("the token server " + params.get("realm") + " answered without a token");
            }
            return "Bearer " + value;
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new IOException("cannot reach the registry at " + request.uri().getAuthority() + ": "
                    + (unresolved(e) ? "unknown host " + request.uri().getHost() : "connection refused"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pulling " + ref);
        } catch (IOException e) {
            throw new IOException("cannot reach the registry at " + request.uri().getAuthority() + ": " + e, e);
        }
    }

    /** Whether the connection failed because the host name did not resolve. */
    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** The registry's error as Docker shows it: {@code manifest unknown}, {@code unauthorized: ...}. */
    private IOException failure(HttpResponse<InputStream> r, InputStream body, String what) throws IOException {
        StringBuilder message = new StringBuilder();
        try {
            for (JsonNode error : Json.read(body.readNBytes(64 * 1024), "error").path("errors")) {
                String code = error.path("code").asText("").toLowerCase().replace('_', ' ');
                String text = error.path("message").asText("");
                message.append(message.length() == 0 ? "" : "; ").append(code.equals(text) || code.isEmpty() ? text : code + ": " + text);
            }
        } catch (IOException notJson) {
            // a proxy's or a server's own page: the status says enough
        }
        if (message.length() == 0) {
            message.append(r.statusCode() == 401 ? "unauthorized" : r.statusCode() == 404 ? "not found" : "HTTP " + r.statusCode());
        }
        return new IOException(message + " (" + what + " from " + r.uri().getAuthority() + ")");
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A credentials key as Docker writes it ({@code https://index.docker.io/v1/}) as a reference's domain. */
    static String registry(String key) {
        String host = key.replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
        return host.equals("index.docker.io") || host.equals(DOCKER_HUB) ? ImageReference.DEFAULT_DOMAIN : host;
    }
}
