package io.kubundle.images.internal;

import static io.kubundle.images.TestArchives.layer;
import static io.kubundle.images.TestArchives.ociEntries;
import static io.kubundle.images.TestArchives.sha256;
import static io.kubundle.images.TestArchives.writeTar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kubundle.api.runtime.ImageService.ImageConfig;
import io.kubundle.api.runtime.ImageService.ImageInfo;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.images.DigestMismatchException;
import io.kubundle.images.ImageStore;
import io.kubundle.images.RegistryPuller;
import io.kubundle.images.Schema1Images;
import io.kubundle.images.TestArchives.Image;
import io.kubundle.images.TestRegistry;

class ImageServiceComponentTest {
    @TempDir
    Path tmp;
    ImageServiceComponent service;
    Image busybox;

    @BeforeEach
    void setUp() throws IOException {
        Path root = tmp.resolve("images");
        busybox = new Image("busybox:1.36", List.of(layer("bin/sh", "shell"), layer("etc/motd", "hi")));
        Image other = new Image("localhost:5000/other", List.of(layer("x", "y")));
        new ImageStore(root).importArchive(writeTar(tmp.resolve("a.tar"), ociEntries(busybox, other)));
        service = new ImageServiceComponent(root);
    }

    @Test
    void listsStatusesAndReadsTheImageConfig() throws Exception {
        List<ImageInfo> all = service.list();
        assertEquals(2, all.size());
        ImageInfo info = service.status("busybox:1.36").orElseThrow();
        assertEquals(sha256(busybox.manifest()), info.id());
        assertEquals(List.of("docker.io/library/busybox:1.36"), info.names());
        assertEquals(new ImageConfig(List.of(), List.of("/bin/sh"), List.of(), "", "", ""), info.config());
        assertEquals(info, service.status(info.id()).orElseThrow());
        assertEquals(info, service.status("docker.io/library/busybox@" + info.id()).orElseThrow());
        assertTrue(service.status("busybox:latest").isEmpty());
    }

    @Test
    void pullOfAPresentDigestUnpacksItsLayersAndAnAbsentOneIsErrImagePull() throws Exception {
        // present by digest: docker.io (out of reach here) is not asked
        ImageInfo pulled = service.pull("busybox@" + sha256(busybox.manifest()), List.of());
        assertEquals(service.status("busybox:1.36").orElseThrow(), pulled);
        List<Path> layers = service.layers("busybox:1.36");
        assertEquals(2, layers.size());
        assertEquals("shell", Files.readString(layers.get(0).resolve("bin/sh")));

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RuntimeFailure unreachable = assertThrows(RuntimeFailure.class, () -> service.pull("localhost:" + closed + "/nginx:1.7.9", List.of()));
        assertEquals("ErrImagePull", unreachable.reason());
        assertEquals("cannot reach the registry at localhost:" + closed + ": connection refused", unreachable.getMessage());
        RuntimeFailure invalid = assertThrows(RuntimeFailure.class, () -> service.pull("Not/Valid", List.of()));
        assertEquals("ErrImagePull", invalid.reason());
    }

    @Test
    void pullsFromARegistryAndAMissingTagIsErrImagePull(@TempDir Path registryDir) throws Exception {
        assumeTrue(Files.isExecutable(TestRegistry.BINARY), "docker-registry is not installed");
        try (TestRegistry registry = TestRegistry.start(registryDir)) {
            Image app = new Image(null, List.of(TestRegistry.busyboxLayer()));
            String digest = registry.push("team/app", "v1", app);
            String ref = registry.host() + "/team/app:v1";

            ImageInfo pulled = service.pull(ref, List.of());
            assertEquals(digest, pulled.id());
            assertEquals(List.of(ref), pulled.names());
            assertTrue(Files.isExecutable(service.layers(ref).get(0).resolve("bin/busybox")));

            registry.close();
            // a tag is asked of the registry each time (imagePullPolicy: Always), a digest that is here is not
            RuntimeFailure gone = assertThrows(RuntimeFailure.class, () -> service.pull(ref, List.of()));
            assertTrue(gone.getMessage().startsWith("cannot reach the registry"), gone.getMessage());
            assertEquals(pulled, service.pull(registry.host() + "/team/app@" + digest, List.of()));
            assertEquals(pulled, service.status(ref).orElseThrow(), "a failed pull keeps the image");
        }
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(registryDir.resolve("again")))) {
            RuntimeFailure missing = assertThrows(RuntimeFailure.class, () -> service.pull(registry.host() + "/team/app:v2", List.of()));
            assertEquals("ErrImagePull", missing.reason());
            assertTrue(missing.getMessage().contains("manifest unknown"), missing.getMessage());
        }
    }

    @Test
    void pullingATagAgainFollowsItWhereItMovedAndDownloadsNothingWhenItDidNot(@TempDir Path registryDir) throws Exception {
        assumeTrue(Files.isExecutable(TestRegistry.BINARY), "docker-registry is not installed");
        try (TestRegistry registry = TestRegistry.start(registryDir)) {
            String ref = registry.host() + "/team/app:stable";
            registry.push("team/app", "stable", new Image(null, List.of(layer("etc/motd", "v1"))));
            ImageInfo v1 = service.pull(ref, List.of());
            assertEquals("v1", Files.readString(service.layers(ref).get(0).resolve("etc/motd")));

            Image image = new Image(null, List.of(layer("etc/motd", "v2")));
            String v2Digest = registry.push("team/app", "stable", image);
            ImageInfo v2 = service.pull(ref, List.of());
            assertEquals(v2Digest, v2.id());
            assertEquals("v2", Files.readString(service.layers(ref).get(0).resolve("etc/motd")));
            assertTrue(service.status(v1.id()).isEmpty(), "the image the tag left, named by nothing, is removed");

            // any blob the registry sends now fails its digest: pulling the unchanged tag must download none
            damage(registry, sha256(image.layers().get(0)), sha256(image.config()));
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            assertThrows(DigestMismatchException.class, () -> new RegistryPuller(new ImageStore(elsewhere)).pull(ref, List.of()));
            assertEquals(v2, service.pull(ref, List.of()));
            assertEquals(3, service.list().size(), "the two images imported in setUp, and this one");
        }
    }

    @Test
    void aSchema1ImageIsPulledWithItsConfigAndAnUnchangedTagDownloadsNothing(@TempDir Path registryDir) throws Exception {
        assumeTrue(Files.isExecutable(TestRegistry.BINARY), "docker-registry is not installed");
        try (TestRegistry registry = TestRegistry.start(registryDir)) {
            String digest = registry.pushSchema1("old/nginx", "1.7.9", Schema1Images.image());
            String ref = registry.host() + "/old/nginx:1.7.9";

            ImageInfo pulled = service.pull(ref, List.of());
            assertEquals(new ImageConfig(List.of(), List.of("cat", "/etc/motd"), List.of("PATH=/usr/bin:/bin", "GREETING=hello"), "/srv",
                    "", ""), pulled.config());
            assertTrue(pulled.id().startsWith("sha256:") && !pulled.id().equals(digest), "the id is the stored OCI manifest's");
            assertEquals(List.of(ref), pulled.names());
            assertEquals(pulled, service.status(registry.host() + "/old/nginx@" + digest).orElseThrow());
            assertEquals(2, service.layers(ref).size());

            damage(registry, sha256(Schema1Images.LOWER), sha256(Schema1Images.UPPER), sha256(Schema1Images.EMPTY));
            assertEquals(pulled, service.pull(ref, List.of()));
        }
    }

    /** Overwrites the registry's copies of the blobs with as many other bytes: it serves them as they are. */
    private static void damage(TestRegistry registry, String... digests) throws IOException {
        for (String digest : digests) {
            Path data = registry.blobData(digest);
            Files.write(data, new byte[(int) Files.size(data)]);
        }
    }

    @Test
    void concurrentPullsOfImagesSharingALayerAllSucceed(@TempDir Path registryDir) throws Exception {
        assumeTrue(Files.isExecutable(TestRegistry.BINARY), "docker-registry is not installed");
        try (TestRegistry registry = TestRegistry.start(registryDir)) {
            byte[] shared = TestRegistry.busyboxLayer();
            registry.push("team/a", "1", new Image(null, List.of(shared, layer("a", "a"))));
            registry.push("team/b", "1", new Image(null, List.of(shared, layer("b", "b"))));
            List<String> refs = List.of(registry.host() + "/team/a:1", registry.host() + "/team/b:1");
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<List<Path>>> pulls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String ref = refs.get(i % 2);
                    pulls.add(pool.submit(() -> {
                        service.pull(ref, List.of());
                        return service.layers(ref);
                    }));
                }
                for (Future<List<Path>> pull : pulls) {
                    assertEquals(pulls.get(0).get().get(0), pull.get().get(0), "one directory for the shared layer");
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(4, service.list().size());
        }
    }

    @Test
    void layersOfAnAbsentImageIsImageInspectErrorAndRemoveIsIdempotent() throws Exception {
        assertEquals("ImageInspectError", assertThrows(RuntimeFailure.class, () -> service.layers("nginx")).reason());
        service.remove("localhost:5000/other");
        service.remove("localhost:5000/other");
        assertEquals(1, service.list().size());
        assertFalse(service.list().get(0).names().contains("localhost:5000/other:latest"));
    }

    @Test
    void parsesTheRuntimePartOfAnImageConfig() throws IOException {
        String json = "{\"Entrypoint\":[\"/docker-entrypoint.sh\"],\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],"
                + "\"Env\":[\"PATH=/usr/bin\",\"NGINX_VERSION=1.7.9\"],\"WorkingDir\":\"/srv\",\"User\":\"101:101\","
                + "\"StopSignal\":\"SIGQUIT\",\"ExposedPorts\":{\"80/tcp\":{}}}";
        assertEquals(new ImageConfig(List.of("/docker-entrypoint.sh"), List.of("nginx", "-g", "daemon off;"),
                List.of("PATH=/usr/bin", "NGINX_VERSION=1.7.9"), "/srv", "101:101", "SIGQUIT"),
                ConfigCache.parse(new ObjectMapper().readTree(json)));
        assertEquals(new ImageConfig(List.of(), List.of(), List.of(), "", "", ""), ConfigCache.parse(new ObjectMapper().readTree("{}")));
    }
}
