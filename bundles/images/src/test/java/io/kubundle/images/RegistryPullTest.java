package io.kubundle.images;

import static io.kubundle.images.TestArchives.layer;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.runtime.ImageService.RegistryCredentials;
import io.kubundle.images.TestArchives.Image;

/** Pulls from a real registry (Debian's docker-registry on loopback) that the test fills. */
class RegistryPullTest {
    static TestRegistry registry;
    static Image busybox;
    static String busyboxDigest;
    static Image arm;
    static String indexDigest;

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

            assertTrue(e.getMessage().startsWith("the registry sent nothing of blob " + TestArchives.sha256(layer) + " for 0.3 s ("),
                    e.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
            assertEquals(List.of(), store.list());
            assertTrue(Files.list(store.root().resolve("tmp")).findAny().isEmpty(), "nothing left in tmp");
        }
    }

    /** A registry that serves the manifest and the config, and half of the layer, then nothing. */
    private static void serveThenStall(ServerSocket server, Image image, byte[] layer) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String path = requestPath(in);
                byte[] body = path.contains("/manifests/") ? image.manifest()
                        : path.endsWith(TestArchives.sha256(layer)) ? layer : image.config();
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

    private static String requestPath(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            head.append((char) c);
        }
        return head.toString().split(" ", 3)[1];
    }

    @Test
    void aRegistryNobodyListensOnIsConnectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> puller.pull("localhost:" + port + "/x/y:1", List.of()));
        assertEquals("cannot reach the registry at localhost:" + port + ": connection refused", e.getMessage());
    }
}
