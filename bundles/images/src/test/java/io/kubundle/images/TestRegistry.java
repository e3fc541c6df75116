package io.kubundle.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Debian's docker-registry (the real distribution registry) on a free loopback port, with its
 * storage in a temporary directory, and a push of images through its API (monolithic blob
 * uploads, manifest PUT) as a client such as skopeo does it.
 */
public final class TestRegistry implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The user {@link #startWithBasicAuth} lets in, and its password. */
    public static final String USER = "user";
    public static final String PASSWORD = "secret";
    /** bcrypt of {@link #PASSWORD} at the lowest cost, so that the registry checks it quickly. */
    private static final String PASSWORD_HASH = "$2b$04$BpRybvCT58p7/h0Njiv71Ogi6gUcB0RcmMRYAU2iRLY4jZ6Fu30ea";

    private final Process process;
    private final String host;
    private final String authorization;
    private final Path storage;

    private TestRegistry(Process process, String host, String authorization, Path storage) {
        this.process = process;
        this.host = host;
        this.authorization = authorization;
        this.storage = storage;
    }

    /** Starts a registry storing into {@code dir}, open to anyone, and waits until it answers. */
    public static TestRegistry start(Path dir) throws Exception {
        return start(dir, false);
    }

    /** The same, with HTTP Basic authentication (htpasswd) for {@link #USER}. */
    public static TestRegistry startWithBasicAuth(Path dir) throws Exception {
        return start(dir, true);
    }

    private static TestRegistry start(Path dir, boolean basicAuth) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "version: 0.1",
                "log:",
                "  level: error",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + Files.createDirectories(dir.resolve("storage")),
                "http:",
                "  addr: 127.0.0.1:" + port,
                "compatibility:",
                "  schema1:",
                "    enabled: true",
                basicAuth ? "auth:\n  htpasswd:\n    realm: test\n    path: "
                        + Files.writeString(dir.resolve("htpasswd"), USER + ":" + PASSWORD_HASH + "\n") : "",
                ""));
        Process p = new ProcessBuilder(BINARY.toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        String authorization = basicAuth ? "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) : null;
        TestRegistry registry = new TestRegistry(p, "localhost:" + port, authorization, dir.resolve("storage"));
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            try {
                if (HTTP.send(registry.request("/v2/").build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return registry;
                }
            } catch (IOException notYet) {
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    registry.close();
                    throw new IOException("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")), notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** {@code localhost:PORT}, the domain of the references to it. */
    public String host() {
        return host;
    }

    /** Pushes {@code blobs}, then the manifest (or index) under {@code tag}; returns the manifest's digest. */
    public String push(String repository, String tag, String mediaType, byte[] manifest, List<byte[]> blobs) throws Exception {
        for (byte[] blob : blobs) {
            HttpResponse<String> start = send(request("/v2/" + repository + "/blobs/uploads/")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), 202);
            String location = start.headers().firstValue("Location").orElseThrow();
            URI upload = uri("/v2/").resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + Digests.of(blob));
            HttpRequest.Builder put = HttpRequest.newBuilder(upload).header("Content-Type", "application/octet-stream");
            if (authorization != null) {
                put.header("Authorization", authorization);
            }
            send(put.PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), 201);
        }
        send(request("/v2/" + repository + "/manifests/" + tag).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), 201);
        return Digests.of(manifest);
    }

    /** Pushes an image made of {@code layers} (tar, gzipped or not) with an OCI manifest; returns its digest. */
    public String push(String repository, String tag, TestArchives.Image image) throws Exception {
        List<byte[]> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        return push(repository, tag, MediaTypes.OCI_MANIFEST, image.manifest(), blobs);
    }

    /**
     * Pushes a Docker schema 1 image, signed as Docker signed them (the registry checks the
     * signature): its distinct layer blobs, then the manifest under {@code tag}.
     *
     * @param newestFirst the layers in the manifest's order
     * @return the manifest's digest: of its JWS payload (the manifest without its signatures),
     *         which the registry serves re-signed with its own key
     */
    public String pushSchema1(String repository, String tag, List<Schema1Layer> newestFirst) throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (Schema1Layer layer : newestFirst) {
            if (blobs.stream().noneMatch(b -> Arrays.equals(b, layer.blob()))) {
                blobs.add(layer.blob());
            }
        }
        push(repository, tag, MediaTypes.DOCKER_MANIFEST_V1_SIGNED, schema1(repository, tag, newestFirst), blobs);
        return Digests.of(unsignedSchema1(repository, tag, newestFirst));
    }

    /** A schema 1 layer: its blob (a gzipped tar) and its {@code v1Compatibility} document. */
    public record Schema1Layer(byte[] blob, ObjectNode v1Compatibility) {
    }

    /** A signed schema 1 manifest of {@code newestFirst}, as a registry serves it. */
    public static byte[] schema1(String repository, String tag, List<Schema1Layer> newestFirst) throws Exception {
        return signJws(unsignedSchema1(repository, tag, newestFirst));
    }

    /** The schema 1 manifest of {@code newestFirst} without signatures: the JWS payload. */
    public static byte[] unsignedSchema1(String repository, String tag, List<Schema1Layer> newestFirst) throws IOException {
        ObjectNode m = TestArchives.MAPPER.createObjectNode();
        m.put("schemaVersion", 1);
        m.put("name", repository);
        m.put("tag", tag);
        m.put("architecture", "amd64");
        ArrayNode fsLayers = m.putArray("fsLayers");
        ArrayNode history = m.putArray("history");
        for (Schema1Layer layer : newestFirst) {
            fsLayers.addObject().put("blobSum", Digests.of(layer.blob()));
            history.addObject().put("v1Compatibility", TestArchives.MAPPER.writeValueAsString(layer.v1Compatibility()));
        }
        return TestArchives.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }

    /**
     * {@code json} with a libtrust "pretty JWS" signature (ES256, the key in the header), as Docker
     * signed schema 1 manifests: the payload is the document without its signatures, which are
     * inserted before its closing brace; the protected header says where.
     */
    static byte[] signJws(byte[] json) throws Exception {
        String text = new String(json, StandardCharsets.UTF_8);
        int close = text.stripTrailing().length() - 1;
        int formatLength = text.substring(0, close).stripTrailing().length();
        String tail = text.substring(formatLength);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        ECPoint w = ((ECPublicKey) key.getPublic()).getW();
        ObjectNode protectedHeader = TestArchives.MAPPER.createObjectNode();
        protectedHeader.put("formatLength", formatLength);
        protectedHeader.put("formatTail", b64.encodeToString(tail.getBytes(StandardCharsets.UTF_8)));
        protectedHeader.put("time", "2024-01-01T00:00:00Z");
        String protectedB64 = b64.encodeToString(TestArchives.MAPPER.writeValueAsBytes(protectedHeader));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key.getPrivate());
        signer.update((protectedB64 + "." + b64.encodeToString(json)).getBytes(StandardCharsets.US_ASCII));
        ObjectNode signature = TestArchives.MAPPER.createObjectNode();
        ObjectNode header = signature.putObject("header");
        header.putObject("jwk").put("crv", "P-256").put("kty", "EC")
                .put("x", b64.encodeToString(coordinate(w.getAffineX()))).put("y", b64.encodeToString(coordinate(w.getAffineY())));
        header.put("alg", "ES256");
        signature.put("signature", b64.encodeToString(signer.sign()));
        signature.put("protected", protectedB64);
        String signatures = TestArchives.MAPPER.writeValueAsString(TestArchives.MAPPER.createArrayNode().add(signature));
        return (text.substring(0, formatLength) + ",\n   \"signatures\": " + signatures + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** An EC coordinate as JWK wants it: 32 bytes, big-endian, unsigned. */
    private static byte[] coordinate(BigInteger c) {
        byte[] raw = c.toByteArray();
        byte[] fixed = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
        return fixed;
    }

    /** Where the registry keeps the blob {@code digest} (to damage it behind the registry's back). */
    public Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    private URI uri(String path) {
        return URI.create("http://" + host + path);
    }

    /** A request to the registry, with its credentials when it asks for them. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    private static HttpResponse<String> send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IOException(request.method() + " " + request.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** A gzipped layer with /bin/busybox (static) and /bin/sh linked to it: a shell that runs anywhere. */
    public static byte[] busyboxLayer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            FileTime mtime = FileTime.from(Instant.parse("2024-01-01T00:00:00Z"));
            TarArchiveEntry bin = new TarArchiveEntry("bin/", TarConstants.LF_DIR, true);
            bin.setMode(0755);
            bin.setModTime(mtime);
            tar.putArchiveEntry(bin);
            tar.closeArchiveEntry();
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            TarArchiveEntry file = new TarArchiveEntry("bin/busybox", TarConstants.LF_NORMAL, true);
            file.setMode(0755);
            file.setSize(busybox.length);
            file.setModTime(mtime);
            tar.putArchiveEntry(file);
            tar.write(busybox);
            tar.closeArchiveEntry();
            TarArchiveEntry sh = new TarArchiveEntry("bin/sh", TarConstants.LF_SYMLINK, true);
            sh.setLinkName("busybox");
            sh.setModTime(mtime);
            tar.putArchiveEntry(sh);
            tar.closeArchiveEntry();
        }
        return TestArchives.gzip(bytes.toByteArray());
    }

    /** An OCI image index listing {@code manifests}. */
    public static byte[] index(List<ObjectNode> manifests) throws IOException {
        ObjectNode index = TestArchives.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode list = index.putArray("manifests");
        manifests.forEach(list::add);
        return TestArchives.MAPPER.writeValueAsBytes(index);
    }

    /** An index entry for {@code image} on linux/{@code architecture}. */
    public static ObjectNode platform(TestArchives.Image image, String architecture) throws IOException {
        ObjectNode d = TestArchives.descriptor(MediaTypes.OCI_MANIFEST, image.manifest());
        d.putObject("platform").put("os", "linux").put("architecture", architecture);
        return d;
    }
}
