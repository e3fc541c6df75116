package io.kubundle.images;

import static io.kubundle.images.Schema1Images.EMPTY;
import static io.kubundle.images.Schema1Images.LOWER;
import static io.kubundle.images.Schema1Images.UPPER;
import static io.kubundle.images.TestArchives.layer;
import static io.kubundle.images.TestArchives.sha256;
import static io.kubundle.images.TestArchives.uncompressed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.runtime.ImageService.RegistryCredentials;
import io.kubundle.images.TestArchives.Image;
import io.kubundle.images.TestRegistry.Schema1Layer;

/**
 * Pulls from a real registry (Debian's docker-registry on loopback) that the test fills; Docker
 * schema 1 manifests that the real registry would refuse to store, from a {@link StaticRegistry}.
 */
class RegistryPullTest {
    static TestRegistry registry;
    static Image busybox;
    static String busyboxDigest;
    static Image arm;
    static String indexDigest;
    /** Of the schema 1 image {@link Schema1Images#image()}, pushed as old/app:1.0. */
    static String schema1Digest;

    @TempDir
    Path tmp;
    ImageStore store;
    RegistryPuller puller;

    @BeforeAll
    static void startRegistry(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(TestRegistry.BINARY), "docker-registry is not installed");
        registry = TestRegistry.start(dir);
        busybox = new Image(null, List.of(TestRegistry.busyboxLayer(), layer("etc/motd", "pulled")));
        busyboxDigest = registry.push("test/busybox", "1.36", busybox);
        arm = new Image(null, List.of(layer("etc/motd", "arm")));
        registry.push("test/multi", "arm64-only", arm);
        registry.push("test/multi", "amd64-only", busybox);
        byte[] index = TestRegistry.index(List.of(TestRegistry.platform(arm, "arm64"), TestRegistry.platform(busybox, "amd64")));
        indexDigest = registry.push("test/multi", "1.0", MediaTypes.OCI_INDEX, index, List.of());
        schema1Digest = registry.pushSchema1("old/app", "1.0", Schema1Images.image());
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new ImageStore(tmp.resolve("images"));
        puller = new RegistryPuller(store);
    }

    @Test
    void pullsByTagThenByDigestAndTheLayersRun() throws Exception {
        String byTag = registry.host() + "/test/busybox:1.36";
        ImageManifest pulled = puller.pull(byTag, List.of());

        assertEquals(busyboxDigest, pulled.manifest().digest());
        assertEquals(pulled, store.resolve(byTag).orElseThrow());
        List<Path> layers = store.layers(byTag).orElseThrow();
        assertEquals("pulled", Files.readString(layers.get(1).resolve("etc/motd")));
        Process sh = new ProcessBuilder(layers.get(0).resolve("bin/sh").toString(), "-c", "echo hello from $0").start();
        assertEquals("hello from " + layers.get(0).resolve("bin/sh"), new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());

        String byDigest = registry.host() + "/test/busybox@" + busyboxDigest;
        assertEquals(pulled, puller.pull(byDigest, List.of()));
        assertEquals(pulled, store.resolve(byDigest).orElseThrow());
        assertEquals(2, store.list().size());
        assertTrue(Files.list(store.root().resolve("tmp")).findAny().isEmpty(), "nothing left in tmp");
    }

    @Test
    void anIndexIsFollowedToItsLinuxAmd64Manifest() throws Exception {
        ImageManifest byTag = puller.pull(registry.host() + "/test/multi:1.0", List.of());
        assertEquals(busyboxDigest, byTag.manifest().digest());
        String byIndexDigest = registry.host() + "/test/multi@" + indexDigest;
        assertEquals(byTag, store.resolve(byIndexDigest).orElseThrow(), "the tag's index digest is recorded");
        assertEquals(1, store.list().size());

        assertEquals(byTag, puller.pull(byIndexDigest, List.of()));
        assertEquals(byTag, store.resolve(byIndexDigest).orElseThrow());
    }

    @Test
    void dockerSchema2ManifestsAndManifestListsArePulledAsTheyAre() throws Exception {
        byte[] layer = TestArchives.gzip(layer("etc/motd", "docker"));
        Image image = new Image(null, List.of(layer));
        ObjectNode m = TestArchives.MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        m.set("config", TestArchives.descriptor("application/vnd.docker.container.image.v1+json", image.config()));
        m.putArray("layers").add(TestArchives.descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", layer));
        byte[] manifest = TestArchives.MAPPER.writeValueAsBytes(m);
        String digest = registry.push("test/docker", "v2", MediaTypes.DOCKER_MANIFEST, manifest, List.of(layer, image.config()));
        ObjectNode entry = TestArchives.descriptor(MediaTypes.DOCKER_MANIFEST, manifest);
        entry.putObject("platform").put("os", "linux").put("architecture", "amd64");
        ObjectNode list = TestArchives.MAPPER.createObjectNode();
        list.put("schemaVersion", 2);
        list.put("mediaType", MediaTypes.DOCKER_MANIFEST_LIST);
        list.putArray("manifests").add(entry);
        registry.push("test/docker", "list", MediaTypes.DOCKER_MANIFEST_LIST, TestArchives.MAPPER.writeValueAsBytes(list), List.of());

        ImageManifest pulled = puller.pull(registry.host() + "/test/docker:list", List.of());
        assertEquals(new Descriptor(MediaTypes.DOCKER_MANIFEST, digest, manifest.length), pulled.manifest());
        assertEquals("docker", Files.readString(store.layers(registry.host() + "/test/docker:list").orElseThrow().get(0).resolve("etc/motd")));
    }

    @Test
    void aMissingTagIsManifestUnknownAndStoresNothing() throws IOException {
        IOException e = assertThrows(IOException.class, () -> puller.pull(registry.host() + "/test/busybox:missing", List.of()));
        assertTrue(e.getMessage().startsWith("manifest unknown"), e.getMessage());
        IOException repo = assertThrows(IOException.class, () -> puller.pull(registry.host() + "/test/nothing:1", List.of()));
        assertTrue(repo.getMessage().contains("unknown"), repo.getMessage());
        assertEquals(List.of(), store.list());
    }

    @Test
    void basicAuthenticationTakesTheRegistrysCredentials(@TempDir Path dir) throws Exception {
        try (TestRegistry basic = TestRegistry.startWithBasicAuth(dir)) {
            String digest = basic.push("private/app", "1", new Image(null, List.of(layer("secret", "s"))));
            String ref = basic.host() + "/private/app:1";

            IOException anonymous = assertThrows(IOException.class, () -> puller.pull(ref, List.of()));
            assertEquals("unauthorized: " + basic.host() + " requires a user name and password, and none was given", anonymous.getMessage());
            IOException wrong = assertThrows(IOException.class, () -> puller.pull(ref,
                    List.of(new RegistryCredentials(basic.host(), TestRegistry.USER, "wrong"))));
            assertTrue(wrong.getMessage().startsWith("unauthorized: authentication required"), wrong.getMessage());
            List<RegistryCredentials> credentials = List.of(new RegistryCredentials("docker.io", "someone", "else"),
                    new RegistryCredentials("http://" + basic.host() + "/", TestRegistry.USER, TestRegistry.PASSWORD));
            assertEquals(digest, puller.pull(ref, credentials).manifest().digest());
        }
    }

    @Test
    void aRegistryThatStopsSendingABlobFailsThePullAtTheProgressDeadline() throws Exception {
        byte[] layer = layer("big", "x".repeat(100_000));
        Image image = new Image(null, List.of(layer));
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread registryThread = new Thread(() -> serveThenStall(server, image, layer));
            registryThread.setDaemon(true);
            registryThread.start();
            RegistryPuller impatient = new RegistryPuller(store, Duration.ofMillis(300));

            long started = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> impatient.pull("127.0.0.1:" + server.getLocalPort() + "/slow/app:1", List.of()));

            assertTrue(e.getMessage().startsWith("the registry sent nothing of blob " + sha256(layer) + " for 0.3 s ("),
                    e.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
            assertEquals(List.of(), store.list());
            assertTrue(Files.list(store.root().resolve("tmp")).findAny().isEmpty(), "nothing left in tmp");
        }
    }

    /**
     * A registry that serves the manifest and the config, and half of the layer, then nothing; on
     * every connection the client opens (it may open another after the HEAD).
     */
    private static void serveThenStall(ServerSocket server, Image image, byte[] layer) {
        try {
            while (true) {
                Socket socket = server.accept();
                Thread connection = new Thread(() -> serveThenStall(socket, image, layer));
                connection.setDaemon(true);
                connection.start();
            }
        } catch (IOException e) {
            // the server was closed: the test is over
        }
    }

    private static void serveThenStall(Socket connection, Image image, byte[] layer) {
        try (Socket socket = connection) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String[] request = requestLine(in);
                String path = request[1];
                if (request[0].equals("HEAD")) { // says no digest: the client GETs the manifest
                    out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                byte[] body = path.contains("/manifests/") ? image.manifest()
                        : path.endsWith(sha256(layer)) ? layer : image.config();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nContent-Type: "
                        + (path.contains("/manifests/") ? MediaTypes.OCI_MANIFEST : "application/octet-stream") + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body == layer ? body.length / 2 : body.length);
                out.flush();
                if (body == layer) {
                    Thread.sleep(30_000);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away: the test is over
        }
    }

    private static String[] requestLine(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            head.append((char) c);
        }
        return head.toString().split(" ", 3);
    }

    @Test
    void aRegistryNobodyListensOnIsConnectionRefusedAndOneWithoutAddressAnUnknownHost() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> puller.pull("localhost:" + port + "/x/y:1", List.of()));
        assertEquals("cannot reach the registry at localhost:" + port + ": connection refused", e.getMessage());
        IOException unknown = assertThrows(IOException.class, () -> puller.pull("registry.invalid/x/y:1", List.of()));
        assertEquals("cannot reach the registry at registry.invalid: unknown host registry.invalid", unknown.getMessage());
    }

    @Test
    void aSchema1ImageBecomesAnOciImageOfItsNonEmptyLayers() throws Exception {
        String ref = registry.host() + "/old/app:1.0";
        ImageManifest pulled = puller.pull(ref, List.of());

        assertEquals(MediaTypes.OCI_MANIFEST, pulled.manifest().mediaType());
        assertEquals(List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, sha256(LOWER), LOWER.length),
                new Descriptor(MediaTypes.OCI_LAYER_GZIP, sha256(UPPER), UPPER.length)), pulled.layers());
        assertEquals(pulled.manifest().digest(), Digests.of(store.readBlob(pulled.manifest().digest())));

        JsonNode config = TestArchives.MAPPER.readTree(store.readBlob(pulled.config().digest()));
        assertEquals(List.of(sha256(uncompressed(LOWER)), sha256(uncompressed(UPPER))), texts(config.path("rootfs").path("diff_ids")));
        assertEquals(List.of("PATH=/usr/bin:/bin", "GREETING=hello"), texts(config.path("config").path("Env")));
        assertEquals(List.of("cat", "/etc/motd"), texts(config.path("config").path("Cmd")));
        assertEquals("/srv", config.path("config").path("WorkingDir").asText());
        assertTrue(config.path("config").path("ExposedPorts").has("80/tcp"));
        assertFalse(config.path("config").has("Hostname"), "not an OCI config field");
        assertEquals("amd64", config.path("architecture").asText());
        assertEquals("linux", config.path("os").asText());
        assertEquals("2015-01-04T00:00:00Z", config.path("created").asText());
        JsonNode history = config.path("history");
        assertEquals(4, history.size());
        assertEquals("/bin/sh -c #(nop) ADD file:abc in /", history.get(0).path("created_by").asText());
        assertEquals(List.of(false, true, false, true), List.of(history.get(0).path("empty_layer").asBoolean(),
                history.get(1).path("empty_layer").asBoolean(), history.get(2).path("empty_layer").asBoolean(),
                history.get(3).path("empty_layer").asBoolean()));

        List<Path> layers = store.layers(ref).orElseThrow();
        assertEquals(2, layers.size());
        assertEquals("one", Files.readString(layers.get(0).resolve("etc/motd")));
        assertEquals("deleted above", Files.readString(layers.get(0).resolve("etc/old")));
        assertEquals("tool", Files.readString(layers.get(0).resolve("bin/tool")));
        assertEquals("two", Files.readString(layers.get(1).resolve("etc/motd")));
        assertFalse(Files.exists(layers.get(1).resolve("etc/.wh.old"), LinkOption.NOFOLLOW_LINKS));
        if ("root".equals(System.getProperty("user.name"))) {
            int mode = (Integer) Files.getAttribute(layers.get(1).resolve("etc/old"), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(020000, mode & 0170000, "the whiteout is an overlayfs whiteout: a character device");
            assertEquals(0L, ((Number) Files.getAttribute(layers.get(1).resolve("etc/old"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
        }
        assertEquals(Stream.of(Digests.hex(sha256(uncompressed(LOWER))), Digests.hex(sha256(uncompressed(UPPER)))).sorted().toList(),
                names(store.root().resolve("layers")));

        // the image's id is the OCI manifest's digest; the registry's schema1Digest names it too
        assertEquals(List.of(new StoredImage(ref, pulled.manifest().digest(), pulled.totalSize())), store.list());
        assertEquals(pulled, store.resolve(registry.host() + "/old/app@" + schema1Digest).orElseThrow());
        assertEquals(pulled, puller.pull(registry.host() + "/old/app@" + schema1Digest, List.of()), "by digest: the same image");
        assertEquals(List.of(), names(store.root().resolve("tmp")));
    }

    @Test
    void aSchema1ManifestNeedNotHaveAMediaType() throws Exception {
        try (StaticRegistry fake = new StaticRegistry()) {
            byte[] manifest = TestRegistry.schema1("any/app", "1", Schema1Images.image());
            fake.manifest("1", "application/json", manifest);
            serveBlobs(fake);
            ImageManifest pulled = puller.pull(fake.host() + "/any/app:1", List.of());
            assertEquals(2, pulled.layers().size());
            assertEquals(List.of(sha256(LOWER), sha256(UPPER)), fake.blobRequests(), "only the layers with content, lowest first");
        }
    }

    @Test
    void aLayerThatIsThereTwiceStaysTwiceAndIsDownloadedOnce() throws Exception {
        try (StaticRegistry fake = new StaticRegistry()) {
            serveBlobs(fake);
            fake.manifest("1", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, TestRegistry.schema1("any/app", "1", List.of(
                    new Schema1Layer(LOWER, Schema1Images.v1("3", "2", "/bin/sh -c #(nop) ADD file:abc in /", false)),
                    new Schema1Layer(UPPER, Schema1Images.v1("2", "1", "/bin/sh -c #(nop) ADD file:def in /", false)),
                    new Schema1Layer(LOWER, Schema1Images.v1("1", null, "/bin/sh -c #(nop) ADD file:abc in /", false)))));
            ImageManifest pulled = puller.pull(fake.host() + "/any/app:1", List.of());

            assertEquals(List.of(sha256(LOWER), sha256(UPPER), sha256(LOWER)), pulled.layers().stream().map(Descriptor::digest).toList());
            JsonNode config = TestArchives.MAPPER.readTree(store.readBlob(pulled.config().digest()));
            assertEquals(List.of(sha256(uncompressed(LOWER)), sha256(uncompressed(UPPER)), sha256(uncompressed(LOWER))),
                    texts(config.path("rootfs").path("diff_ids")));
            assertEquals(List.of(sha256(LOWER), sha256(UPPER)), fake.blobRequests());
            assertEquals("one", Files.readString(store.layers(fake.host() + "/any/app:1").orElseThrow().get(2).resolve("etc/motd")));
        }
    }

    @Test
    void anUnchangedTagCostsOneHeadRequestAndAMovedOneIsPulled() throws Exception {
        try (StaticRegistry fake = new StaticRegistry()) {
            serveBlobs(fake);
            fake.manifest("1", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, TestRegistry.schema1("any/app", "1", Schema1Images.image()));
            String ref = fake.host() + "/any/app:1";
            ImageManifest pulled = puller.pull(ref, List.of());

            fake.requests.clear();
            assertEquals(pulled, puller.pull(ref, List.of()));
            assertEquals(List.of("HEAD /v2/any/app/manifests/1"), fake.requests);

            fake.digestHeader = false; // then the manifest is fetched, and still no blob
            fake.requests.clear();
            assertEquals(pulled, puller.pull(ref, List.of()));
            assertEquals(List.of("HEAD /v2/any/app/manifests/1", "GET /v2/any/app/manifests/1"), fake.requests);

            Image moved = new Image(null, List.of(layer("etc/motd", "moved")));
            fake.manifest("1", MediaTypes.OCI_MANIFEST, moved.manifest());
            fake.blob(sha256(moved.layers().get(0)), moved.layers().get(0));
            fake.blob(sha256(moved.config()), moved.config());
            fake.digestHeader = true;
            fake.requests.clear();
            assertEquals(sha256(moved.manifest()), puller.pull(ref, List.of()).manifest().digest());
            assertEquals(List.of(sha256(moved.config()), sha256(moved.layers().get(0))), fake.blobRequests());
            assertEquals(List.of(sha256(moved.manifest())), store.list().stream().map(StoredImage::digest).toList(),
                    "the schema 1 image the tag left is collected");
        }
    }

    @Test
    void malformedSchema1ManifestsAreRefusedAndLeaveNothing() throws Exception {
        try (StaticRegistry fake = new StaticRegistry()) {
            serveBlobs(fake);
            ObjectNode mismatched = (ObjectNode) TestArchives.MAPPER.readTree(TestRegistry.unsignedSchema1("any/app", "1", Schema1Images.image()));
            mismatched.withArray("history").remove(0);
            fake.manifest("short", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, TestRegistry.signJws(TestArchives.MAPPER.writeValueAsBytes(mismatched)));
            ObjectNode badSignature = (ObjectNode) TestArchives.MAPPER.readTree(TestRegistry.schema1("any/app", "1", Schema1Images.image()));
            ((ObjectNode) badSignature.withArray("signatures").get(0)).put("protected", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"formatLength\":99999,\"formatTail\":\"Cn0\"}".getBytes(StandardCharsets.UTF_8)));
            fake.manifest("signature", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, TestArchives.MAPPER.writeValueAsBytes(badSignature));
            fake.manifest("broken", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, "{\"schemaVersion\": 1, \"fsLayers\": [".getBytes(StandardCharsets.UTF_8));
            fake.manifest("v2", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, "{\"schemaVersion\": 2}".getBytes(StandardCharsets.UTF_8));
            ObjectNode badCompat = (ObjectNode) TestArchives.MAPPER.readTree(TestRegistry.unsignedSchema1("any/app", "1", Schema1Images.image()));
            ((ObjectNode) badCompat.withArray("history").get(1)).put("v1Compatibility", "{not json");
            fake.manifest("compat", MediaTypes.DOCKER_MANIFEST_V1, TestArchives.MAPPER.writeValueAsBytes(badCompat));

            assertRefused(fake, "short", "lists 4 fsLayers but 3 history entries");
            assertRefused(fake, "broken", "is not valid JSON");
            assertRefused(fake, "v2", "is not schemaVersion 1");
            assertRefused(fake, "compat", "history[1].v1Compatibility is not valid JSON");
            assertRefused(fake, "signature", "has a signature whose formatLength 99999 is not within its");
            assertEquals(List.of(), fake.blobRequests(), "nothing is downloaded for a manifest that is refused");
        }
    }

    @Test
    void aLayerThatDoesNotHashToItsBlobSumFailsThePullAndLeavesNothing() throws Exception {
        try (StaticRegistry fake = new StaticRegistry()) {
            serveBlobs(fake);
            byte[] tampered = UPPER.clone();
            tampered[tampered.length / 2] ^= 1;
            fake.blob(sha256(UPPER), tampered);
            fake.manifest("1", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, TestRegistry.schema1("any/app", "1", Schema1Images.image()));

            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> puller.pull(fake.host() + "/any/app:1", List.of()));
            assertEquals("blob " + sha256(UPPER) + " arrived as " + UPPER.length + " bytes hashing to " + sha256(tampered), e.getMessage());
            assertNothingStored();
        }
    }

    private void assertRefused(StaticRegistry fake, String tag, String message) throws IOException {
        IOException e = assertThrows(IOException.class, () -> puller.pull(fake.host() + "/any/app:" + tag, List.of()));
        assertTrue(e.getMessage().startsWith("schema 1 manifest sha256:"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertNothingStored();
    }

    private void assertNothingStored() throws IOException {
        assertEquals(List.of(), store.list());
        assertEquals(List.of(), names(store.root().resolve("blobs/sha256")));
        assertEquals(List.of(), names(store.root().resolve("tmp")));
    }

    private static void serveBlobs(StaticRegistry fake) {
        for (byte[] blob : List.of(LOWER, UPPER, EMPTY)) {
            fake.blob(sha256(blob), blob);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(n -> result.add(n.asText()));
        return result;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
