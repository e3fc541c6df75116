package io.kubundle.images;

import static io.kubundle.images.TestArchives.dockerEntries;
import static io.kubundle.images.TestArchives.gzip;
import static io.kubundle.images.TestArchives.layer;
import static io.kubundle.images.TestArchives.ociEntries;
import static io.kubundle.images.TestArchives.sha256;
import static io.kubundle.images.TestArchives.writeTar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.kubundle.images.TestArchives.Image;

class ImageStoreTest {
    @TempDir
    Path tmp;
    Path root;
    ImageStore store;

    byte[] base;
    byte[] app;
    byte[] web;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("images");
        store = new ImageStore(root);
        base = layer("bin/sh", "#!fake shell", "etc/os-release", "ID=test");
        app = layer("app/run", "echo app");
        web = gzip(layer("usr/share/nginx/html/index.html", "<h1>hi</h1>"));
    }

    @Test
    void aNewStoreIsAnEmptyOciLayout() throws IOException {
        assertEquals("1.0.0", read(root.resolve("oci-layout")).path("imageLayoutVersion").asText());
        JsonNode index = read(root.resolve("index.json"));
        assertEquals(2, index.path("schemaVersion").asInt());
        assertEquals(0, index.path("manifests").size());
        assertTrue(Files.isDirectory(root.resolve("blobs/sha256")));
        assertEquals(List.of(), store.list());
    }

    @Test
    void importsAnOciArchive() throws IOException {
        Image busybox = new Image("busybox:latest", List.of(base, app));
        Path archive = writeTar(tmp.resolve("busybox-oci.tar"), ociEntries(busybox));

        assertEquals(List.of("docker.io/library/busybox:latest"), store.importArchive(archive));

        ImageManifest m = store.resolve("busybox").orElseThrow();
        assertEquals(sha256(busybox.manifest()), m.manifest().digest());
        assertEquals(new Descriptor(MediaTypes.OCI_CONFIG, sha256(busybox.config()), busybox.config().length), m.config());
        assertEquals(List.of(new Descriptor(MediaTypes.OCI_LAYER, sha256(base), base.length),
                new Descriptor(MediaTypes.OCI_LAYER, sha256(app), app.length)), m.layers());
        assertArrayEquals(app, Files.readAllBytes(store.blobPath(sha256(app))));
        assertArrayEquals(busybox.manifest(), Files.readAllBytes(store.blobPath(m.manifest().digest())));

        JsonNode entry = read(root.resolve("index.json")).path("manifests").get(0);
        assertEquals(sha256(busybox.manifest()), entry.path("digest").asText());
        assertEquals("docker.io/library/busybox:latest", entry.path("annotations").path("org.opencontainers.image.ref.name").asText());
        assertEquals(Set.of(), list(root.resolve("tmp")), "the staging area is cleaned up");
    }

    @Test
    void importsADockerArchiveAsAnOciManifest() throws IOException {
        Image nginx = new Image("nginx:1.7.9", List.of(base, web));
        Path archive = writeTar(tmp.resolve("nginx-docker.tar"), dockerEntries(nginx));

        assertEquals(List.of("docker.io/library/nginx:1.7.9"), store.importArchive(archive));

        ImageManifest m = store.resolve("docker.io/library/nginx:1.7.9").orElseThrow();
        assertEquals(MediaTypes.OCI_MANIFEST, m.manifest().mediaType());
        assertEquals(sha256(nginx.config()), m.config().digest());
        assertEquals(List.of(new Descriptor(MediaTypes.OCI_LAYER, sha256(base), base.length),
                new Descriptor(MediaTypes.OCI_LAYER_GZIP, sha256(web), web.length)), m.layers());
        byte[] manifest = Files.readAllBytes(store.blobPath(m.manifest().digest()));
        assertEquals(m.manifest().digest(), sha256(manifest), "the manifest made from manifest.json is stored under its digest");
        JsonNode json = TestArchives.MAPPER.readTree(manifest);
        assertEquals(sha256(web), json.path("layers").get(1).path("digest").asText());
        assertArrayEquals(web, Files.readAllBytes(store.blobPath(sha256(web))));
    }

    @Test
    void aMultiPlatformIndexImportsItsLinuxAmd64ManifestUnderTheContainerdName() throws IOException {
        Image amd64 = new Image(null, List.of(base, app));
        Image arm64 = new Image(null, List.of(web));
        Map<String, byte[]> entries = ociEntries(amd64, arm64);
        var nested = TestArchives.MAPPER.createObjectNode();
        nested.put("schemaVersion", 2);
        nested.put("mediaType", MediaTypes.OCI_INDEX);
        var platforms = nested.putArray("manifests");
        platforms.add(TestArchives.descriptor(MediaTypes.OCI_MANIFEST, arm64.manifest()))
                .get(0).withObject("/platform").put("os", "linux").put("architecture", "arm64");
        platforms.add(TestArchives.descriptor(MediaTypes.OCI_MANIFEST, amd64.manifest()))
                .get(1).withObject("/platform").put("os", "linux").put("architecture", "amd64");
        byte[] nestedBytes = TestArchives.MAPPER.writeValueAsBytes(nested);
        entries.put("blobs/sha256/" + TestArchives.hex(nestedBytes), nestedBytes);
        var index = TestArchives.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        var entry = index.putArray("manifests").add(TestArchives.descriptor(MediaTypes.OCI_INDEX, nestedBytes)).get(0);
        // as docker 25+ writes them: the tag in ref.name, the whole name in containerd's annotation
        entry.withObject("/annotations").put("org.opencontainers.image.ref.name", "3.19")
                .put("io.containerd.image.name", "docker.io/library/alpine:3.19");
        entries.put("index.json", TestArchives.MAPPER.writeValueAsBytes(index));

        assertEquals(List.of("docker.io/library/alpine:3.19"), store.importArchive(writeTar(tmp.resolve("multi.tar"), entries)));
        assertEquals(sha256(amd64.manifest()), store.resolve("alpine:3.19").orElseThrow().manifest().digest());
        assertEquals(Set.of(sha256(amd64.manifest()), sha256(amd64.config()), sha256(base), sha256(app)), blobs(),
                "neither the index nor the other platform's blobs are kept");
    }

    @Test
    void aGzippedArchiveImportsToo() throws IOException {
        Path archive = tmp.resolve("busybox.tar.gz");
        Files.write(archive, gzip(Files.readAllBytes(writeTar(tmp.resolve("plain.tar"), dockerEntries(new Image("busybox", List.of(base)))))));
        assertEquals(List.of("docker.io/library/busybox:latest"), store.importArchive(archive));
    }

    @Test
    void sharedLayersAreStoredOnce() throws IOException {
        Image a = new Image("a:1", List.of(base, app));
        Image b = new Image("b:1", List.of(base, web));
        Image c = new Image("c:1", List.of(base, app, web));
        store.importArchive(writeTar(tmp.resolve("a.tar"), ociEntries(a)));
        // b and c in one docker archive: the second copy of a layer is a symbolic link there
        store.importArchive(writeTar(tmp.resolve("bc.tar"), dockerEntries(b, c)));

        Set<String> expected = new TreeSet<>();
        for (Image i : List.of(a, b, c)) {
            expected.add(store.resolve(i.name()).orElseThrow().manifest().digest());
            expected.add(sha256(i.config()));
        }
        expected.addAll(List.of(sha256(base), sha256(app), sha256(web)));
        assertEquals(9, expected.size());
        assertEquals(expected, blobs());
    }

    @Test
    void aCorruptedBlobIsRefusedAndNothingIsWritten() throws IOException {
        store.importArchive(writeTar(tmp.resolve("ok.tar"), ociEntries(new Image("ok", List.of(base)))));
        Set<String> before = blobs();
        byte[] indexBefore = Files.readAllBytes(root.resolve("index.json"));

        Map<String, byte[]> entries = ociEntries(new Image("bad", List.of(base, app)));
        String appBlob = "blobs/sha256/" + TestArchives.hex(app);
        byte[] corrupted = app.clone();
        corrupted[600] ^= 1;
        entries.put(appBlob, corrupted);

        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> store.importArchive(writeTar(tmp.resolve("bad.tar"), entries)));
        assertTrue(e.getMessage().contains(sha256(app)), e.getMessage());
        assertEquals(before, blobs(), "no blob of the refused image, whole or partial");
        assertArrayEquals(indexBefore, Files.readAllBytes(root.resolve("index.json")));
        assertTrue(store.resolve("bad").isEmpty());
        assertEquals(List.of("docker.io/library/ok:latest"), store.list().stream().map(StoredImage::reference).toList());
        assertEquals(Set.of(), list(root.resolve("tmp")));
    }

    @Test
    void aDockerLayerThatDoesNotMatchTheConfigsDiffIdIsRefused() throws IOException {
        Map<String, byte[]> entries = dockerEntries(new Image("bad", List.of(base, web)));
        byte[] other = gzip(layer("usr/share/nginx/html/index.html", "<h1>changed</h1>"));
        entries.put("layer1/layer.tar", other);

        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> store.importArchive(writeTar(tmp.resolve("bad.tar"), entries)));
        assertTrue(e.getMessage().contains("layer1/layer.tar"), e.getMessage());
        assertEquals(Set.of(), blobs());
        assertEquals(List.of(), store.list());
    }

    @Test
    void aDockerConfigWhoseNameIsNotItsDigestIsRefused() throws IOException {
        Image image = new Image("bad", List.of(base));
        Map<String, byte[]> entries = dockerEntries(image);
        String configName = TestArchives.hex(image.config()) + ".json";
        byte[] config = new String(image.config(), StandardCharsets.UTF_8).replace("/bin/sh", "/bin/ls").getBytes(StandardCharsets.UTF_8);
        entries.put(configName, config);

        assertThrows(DigestMismatchException.class, () -> store.importArchive(writeTar(tmp.resolve("bad.tar"), entries)));
        assertEquals(Set.of(), blobs());
    }

    @Test
    void anEntryOutsideTheArchiveIsRefused() throws IOException {
        Map<String, byte[]> entries = ociEntries(new Image("x", List.of(base)));
        entries.put("../escaped", "boo".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> store.importArchive(writeTar(tmp.resolve("evil.tar"), entries)));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        assertFalse(Files.exists(root.resolve("escaped")));
        assertFalse(Files.exists(root.resolve("tmp/escaped")));
    }

    @Test
    void somethingThatIsNoImageArchiveIsRefused() throws IOException {
        Path notAnImage = writeTar(tmp.resolve("files.tar"), Map.of("readme.txt", "hello".getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> store.importArchive(notAnImage));
        assertTrue(e.getMessage().contains("neither an OCI archive"), e.getMessage());
    }

    @Test
    void listsReferencesWithDigestAndSize() throws IOException {
        Image a = new Image("registry:5000/team/a:v1", List.of(base, app));
        Image unnamed = new Image(null, List.of(web));
        store.importArchive(writeTar(tmp.resolve("a.tar"), ociEntries(a, unnamed)));

        List<StoredImage> images = store.list();
        assertEquals(2, images.size());
        assertEquals(new StoredImage("registry:5000/team/a:v1", sha256(a.manifest()),
                a.manifest().length + a.config().length + base.length + app.length), images.get(0));
        assertEquals(new StoredImage(null, sha256(unnamed.manifest()),
                unnamed.manifest().length + unnamed.config().length + web.length), images.get(1));
        assertEquals(sha256(web), store.resolve(sha256(unnamed.manifest())).orElseThrow().layers().get(0).digest(),
                "an image without a name is found by its manifest digest");
    }

    @Test
    void resolvesNormalizedNamesAndDigests() throws IOException {
        Image nginx = new Image("docker.io/library/nginx:1.7.9", List.of(base, web));
        store.importArchive(writeTar(tmp.resolve("n.tar"), dockerEntries(nginx)));
        String digest = store.resolve("nginx:1.7.9").orElseThrow().manifest().digest();

        for (String ref : List.of("nginx:1.7.9", "library/nginx:1.7.9", "index.docker.io/library/nginx:1.7.9",
                "nginx@" + digest, "docker.io/library/nginx:other@" + digest, digest)) {
            assertEquals(digest, store.resolve(ref).orElseThrow(() -> new AssertionError(ref)).manifest().digest(), ref);
        }
        for (String ref : List.of("nginx", "nginx:1.7", "other/nginx:1.7.9", "quay.io/library/nginx:1.7.9",
                "busybox@" + digest, "sha256:" + "0".repeat(64))) {
            assertTrue(store.resolve(ref).isEmpty(), ref);
        }
        assertThrows(IllegalArgumentException.class, () -> store.resolve("NGINX"));
    }

    @Test
    void removeCollectsBlobsNoImageUsesAndKeepsSharedLayers() throws IOException {
        Image a = new Image("a", List.of(base, app));
        Image b = new Image("b", List.of(base, web));
        store.importArchive(writeTar(tmp.resolve("ab.tar"), dockerEntries(a, b)));
        String aManifest = store.resolve("a").orElseThrow().manifest().digest();
        ImageManifest bManifest = store.resolve("b").orElseThrow();

        assertTrue(store.remove("docker.io/library/a:latest"));

        assertTrue(store.resolve("a").isEmpty());
        assertEquals(bManifest, store.resolve("b").orElseThrow());
        Set<String> left = blobs();
        assertTrue(left.contains(sha256(base)), "the shared layer stays");
        assertFalse(left.contains(sha256(app)), "a's own layer goes");
        assertFalse(left.contains(sha256(a.config())));
        assertFalse(left.contains(aManifest));
        assertEquals(Set.of(bManifest.manifest().digest(), sha256(b.config()), sha256(base), sha256(web)), left);

        assertFalse(store.remove("a"), "already gone");
        assertTrue(store.remove("b"));
        assertEquals(Set.of(), blobs());
        assertEquals(List.of(), store.list());
    }

    @Test
    void removeByDigestRemovesEveryNameOfThatManifest() throws IOException {
        Image one = new Image("x:1", List.of(base));
        store.importArchive(writeTar(tmp.resolve("1.tar"), dockerEntries(one)));
        store.importArchive(writeTar(tmp.resolve("2.tar"), dockerEntries(new Image("x:also", List.of(base)))));
        store.importArchive(writeTar(tmp.resolve("3.tar"), dockerEntries(new Image("y", List.of(app)))));
        String digest = store.resolve("x:1").orElseThrow().manifest().digest();
        assertEquals(digest, store.resolve("x:also").orElseThrow().manifest().digest());

        assertTrue(store.remove(digest));
        assertEquals(List.of("docker.io/library/y:latest"), store.list().stream().map(StoredImage::reference).toList());
        assertFalse(blobs().contains(sha256(base)));
    }

    @Test
    void importingANameAgainMovesItAndCollectsTheOldImage() throws IOException {
        Image v1 = new Image("app", List.of(base, app));
        Image v2 = new Image("app", List.of(base, web));
        store.importArchive(writeTar(tmp.resolve("v1.tar"), ociEntries(v1)));
        store.importArchive(writeTar(tmp.resolve("v2.tar"), ociEntries(v2)));

        assertEquals(List.of(new StoredImage("docker.io/library/app:latest", sha256(v2.manifest()),
                v2.manifest().length + v2.config().length + base.length + web.length)), store.list());
        assertEquals(Set.of(sha256(v2.manifest()), sha256(v2.config()), sha256(base), sha256(web)), blobs());
    }

    @Test
    void aDockerArchiveWithTwoTagsAndAHardLinkedLayer() throws IOException {
        Image image = new Image("busybox:1.36", List.of(base, app));
        Map<String, byte[]> entries = dockerEntries(image);
        JsonNode manifest = TestArchives.MAPPER.readTree(entries.get("manifest.json"));
        ((ArrayNode) manifest.get(0).get("RepoTags")).add("quay.io/me/busybox:stable");
        entries.put("manifest.json", TestArchives.MAPPER.writeValueAsBytes(manifest));
        Path archive = tmp.resolve("links.tar");
        try (var tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                var entry = new TarArchiveEntry(e.getKey().equals("layer1/layer.tar") ? "layer1.tar" : e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
            var link = new TarArchiveEntry("layer1/layer.tar",
                    TarConstants.LF_LINK);
            link.setLinkName("layer1.tar");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }

        assertEquals(List.of("docker.io/library/busybox:1.36", "quay.io/me/busybox:stable"), store.importArchive(archive));
        assertEquals(store.resolve("busybox:1.36"), store.resolve("quay.io/me/busybox:stable"));
        assertArrayEquals(app, Files.readAllBytes(store.blobPath(sha256(app))));
    }

    @Test
    void garbageCollectionClearsWhatAnInterruptedImportLeft() throws IOException {
        store.importArchive(writeTar(tmp.resolve("a.tar"), ociEntries(new Image("a", List.of(base)))));
        Set<String> live = blobs();
        byte[] orphan = "a blob renamed into place before the index was written".getBytes(StandardCharsets.UTF_8);
        Files.write(store.blobPath(sha256(orphan)), orphan);
        Files.createDirectories(root.resolve("tmp/import-123/blobs"));
        Files.write(root.resolve("tmp/import-123/blobs/half"), orphan);

        assertEquals(1, store.collectGarbage());
        assertEquals(live, blobs());
        assertEquals(Set.of(), list(root.resolve("tmp")));
    }

    @Test
    void anotherStoreOnTheSameDirectorySeesTheImages() throws IOException {
        store.importArchive(writeTar(tmp.resolve("a.tar"), ociEntries(new Image("a", List.of(base)))));
        ImageStore again = new ImageStore(root);
        assertEquals(store.list(), again.list());
    }

    @Test
    void concurrentImportsThroughTwoStoresLoseNothing() throws Exception {
        ImageStore other = new ImageStore(root);
        List<Path> archives = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            archives.add(writeTar(tmp.resolve("c" + i + ".tar"),
                    ociEntries(new Image("img" + i, List.of(base, layer("own/" + i, "layer " + i))))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < archives.size(); i++) {
                ImageStore s = i % 2 == 0 ? store : other;
                Path archive = archives.get(i);
                results.add(pool.submit(() -> s.importArchive(archive)));
            }
            for (Future<List<String>> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> names = store.list().stream().map(StoredImage::reference).collect(Collectors.toSet());
        assertEquals(8, names.size(), names.toString());
        assertEquals(1 + 8 * 3, blobs().size(), "the base layer once, a manifest, config and layer per image");
    }

    @Test
    void anotherProcessHoldingTheLockFileMakesOperationsWait() throws Exception {
        Path holder = tmp.resolve("HoldLock.java");
        Files.writeString(holder, String.join("\n",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.*;",
                "public class HoldLock {",
                "  public static void main(String[] a) throws Exception {",
                "    try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE); var l = ch.lock()) {",
                "      System.out.println(\"locked\"); System.out.flush();",
                "      Thread.sleep(1500);",
                "    }",
                "  }",
                "}"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), holder.toString(), root.resolve(".lock").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals("locked", line);
            long start = System.nanoTime();
            store.list();
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            // the other process holds the lock for 1.5 s after saying so
            assertTrue(waitedMillis >= 1000, "list() returned after " + waitedMillis + " ms while another process held the lock");
        } finally {
            p.destroyForcibly();
        }
    }

    private Set<String> blobs() throws IOException {
        return list(root.resolve("blobs/sha256")).stream().map(h -> "sha256:" + h).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return TestArchives.MAPPER.readTree(file.toFile());
    }
}
