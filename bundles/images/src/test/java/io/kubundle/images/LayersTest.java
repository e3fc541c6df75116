package io.kubundle.images;

import static io.kubundle.images.TestArchives.gzip;
import static io.kubundle.images.TestArchives.ociEntries;
import static io.kubundle.images.TestArchives.sha256;
import static io.kubundle.images.TestArchives.writeTar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.images.TestArchives.Image;

class LayersTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    @TempDir
    Path tmp;
    Path root;
    ImageStore store;
    final List<Path> mounted = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("images");
        store = new ImageStore(root);
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounted) {
            run("umount", m.toString());
        }
    }

    @Test
    void unpacksModesOwnersLinksTimesAndSpecialFiles() throws Exception {
        byte[] layer = new Tar()
                .dir("bin/", 0755, 0, 0)
                .file("bin/su", "setuid", 04755, 0, 0)
                .file("home/app/notes", "mine", 0640, 1000, 1001)
                .dir("tmp/", 01777, 0, 0)
                .symlink("bin/sh", "../usr/bin/busybox")
                .hardlink("bin/su2", "bin/su")
                .fifo("run/fifo")
                .charDevice("dev/null", 1, 3)
                .bytes();
        import_(new Image("special", List.of(gzip(layer))));

        List<Path> dirs = store.layers("special").orElseThrow();

        Path dir = root.resolve("layers").resolve(sha256(layer).substring(7));
        assertEquals(List.of(dir), dirs);
        assertEquals(04755, mode(dir.resolve("bin/su")));
        assertEquals("setuid", Files.readString(dir.resolve("bin/su")));
        assertEquals(0640, mode(dir.resolve("home/app/notes")));
        assertEquals(01777, mode(dir.resolve("tmp")));
        assertEquals(0755, mode(dir));
        assertEquals(Path.of("../usr/bin/busybox"), Files.readSymbolicLink(dir.resolve("bin/sh")));
        assertEquals(Files.getAttribute(dir.resolve("bin/su"), "unix:ino"), Files.getAttribute(dir.resolve("bin/su2"), "unix:ino"));
        assertEquals(FileTime.from(MTIME), Files.getLastModifiedTime(dir.resolve("bin"), NOFOLLOW));
        assertEquals(FileTime.from(MTIME), Files.getLastModifiedTime(dir.resolve("bin/sh"), NOFOLLOW));
        assertEquals(FileTime.from(MTIME), Files.getLastModifiedTime(dir.resolve("home/app/notes"), NOFOLLOW));
        assumeTrue(isRoot(), "owners, devices and fifos need root");
        assertEquals(1000, Files.getAttribute(dir.resolve("home/app/notes"), "unix:uid"));
        assertEquals(1001, Files.getAttribute(dir.resolve("home/app/notes"), "unix:gid"));
        assertEquals("p", fileType(dir.resolve("run/fifo")));
        assertEquals("c 1:3", fileType(dir.resolve("dev/null")));
    }

    @Test
    void overlayfsShowsWhatTheLayersSay() throws Exception {
        assumeTrue(isRoot(), "whiteouts, trusted xattrs and mounts need root");
        byte[] lower = new Tar()
                .file("etc/keep", "kept", 0644, 0, 0)
                .file("etc/gone", "deleted above", 0644, 0, 0)
                .file("dir/a", "hidden by the opaque dir", 0644, 0, 0)
                .file("dir/sub/b", "hidden too", 0644, 0, 0)
                .bytes();
        byte[] upper = new Tar()
                .file("etc/.wh.gone", "", 0644, 0, 0)
                .dir("dir/", 0755, 0, 0)
                .file("dir/.wh..wh..opq", "", 0644, 0, 0)
                .file("dir/c", "new", 0644, 0, 0)
                .bytes();
        import_(new Image("two", List.of(lower, upper)));

        List<Path> dirs = store.layers("two").orElseThrow();
        Path target = Files.createDirectories(tmp.resolve("mnt"));
        run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + dirs.get(1) + ":" + dirs.get(0), target.toString());
        mounted.add(target);

        assertEquals("c 0:0", fileType(dirs.get(1).resolve("etc/gone")));
        assertEquals("kept", Files.readString(target.resolve("etc/keep")));
        assertFalse(Files.exists(target.resolve("etc/gone"), NOFOLLOW));
        assertEquals(Set.of("c"), names(target.resolve("dir")));
        assertEquals("new", Files.readString(target.resolve("dir/c")));

        // a layer in use as a lower directory outlives its image until it is unmounted
        assertTrue(store.remove("two"));
        assertTrue(Files.isDirectory(dirs.get(0)) && Files.isDirectory(dirs.get(1)));
        run("umount", target.toString());
        mounted.remove(target);
        store.collectGarbage();
        assertEquals(Set.of(), names(root.resolve("layers")));
    }

    @Test
    void sharedLayersAreUnpackedOnceAndCollectedWhenNoImageHasThem() throws Exception {
        byte[] base = new Tar().file("bin/sh", "shell", 0755, 0, 0).bytes();
        byte[] app = new Tar().file("app/run", "app", 0755, 0, 0).bytes();
        byte[] web = new Tar().file("web/index.html", "web", 0644, 0, 0).bytes();
        import_(new Image("app", List.of(base, app)));
        import_(new Image("web", List.of(base, web)));

        List<Future<List<Path>>> calls = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 16; i++) {
                String image = i % 2 == 0 ? "app" : "web";
                calls.add(pool.submit(() -> store.layers(image).orElseThrow()));
            }
            for (Future<List<Path>> call : calls) {
                assertEquals(call.get().get(0), calls.get(0).get().get(0));
            }
        } finally {
            pool.shutdownNow();
        }
        Path baseDir = root.resolve("layers").resolve(sha256(base).substring(7));
        Path appDir = calls.get(0).get().get(1);
        assertEquals(List.of(baseDir, appDir), store.layers("app").orElseThrow());
        assertEquals(3, names(root.resolve("layers")).size());
        assertEquals(Set.of(), names(root.resolve("tmp")), "no unpacking left anything behind");

        // a second call finds the layer unpacked and does not do it again
        Files.writeString(baseDir.resolve("marker"), "still here");
        store.layers("web").orElseThrow();
        assertTrue(Files.exists(baseDir.resolve("marker")));

        store.remove("app");
        assertFalse(Files.exists(appDir));
        assertTrue(Files.exists(baseDir));
        store.remove("web");
        assertEquals(Set.of(), names(root.resolve("layers")));
    }

    @Test
    void anUnknownImageHasNoLayers() throws IOException {
        assertTrue(store.layers("nothing:here").isEmpty());
    }

    @Test
    void entriesEscapingTheLayerAreRefusedAndLeaveNothing() throws Exception {
        byte[] dotDot = new Tar().file("../../escaped", "x", 0644, 0, 0).bytes();
        byte[] throughLink = new Tar().symlink("etc", "/tmp").file("etc/escaped", "x", 0644, 0, 0).bytes();
        byte[] hardLinkOut = new Tar().hardlink("passwd", "../../../../etc/passwd").bytes();
        import_(new Image("dotdot", List.of(dotDot)));
        import_(new Image("link", List.of(throughLink)));
        import_(new Image("hard", List.of(hardLinkOut)));

        assertTrue(assertThrows(IOException.class, () -> store.layers("dotdot")).getMessage().contains("outside the layer"));
        assertTrue(assertThrows(IOException.class, () -> store.layers("link")).getMessage().contains("symbolic link etc"));
        assertTrue(assertThrows(IOException.class, () -> store.layers("hard")).getMessage().contains("outside the layer"));
        assertFalse(Files.exists(tmp.resolve("escaped")));
        assertFalse(Files.exists(Path.of("/tmp/escaped")));
        assertEquals(Set.of(), names(root.resolve("layers")));
        assertEquals(Set.of(), names(root.resolve("tmp")));
    }

    @Test
    void aLayerThatDoesNotHashToItsDiffIdIsRefused() throws Exception {
        byte[] layer = new Tar().file("a", "a", 0644, 0, 0).bytes();
        import_(new Image("lying", List.of(layer), List.of(sha256("something else".getBytes(StandardCharsets.UTF_8)))));

        assertThrows(DigestMismatchException.class, () -> store.layers("lying"));
        assertEquals(Set.of(), names(root.resolve("layers")));
    }

    @Test
    void garbageCollectionLeavesWorkInProgressAlone() throws IOException {
        try (Scratch busy = Scratch.create(root.resolve("tmp"), "layer-")) {
            Files.writeString(busy.dir().resolve("half"), "unpacking");
            Files.createDirectories(root.resolve("tmp/layer-dead"));
            Files.writeString(root.resolve("tmp/layer-dead.lock"), "");

            store.collectGarbage();

            assertTrue(Files.exists(busy.dir().resolve("half")));
            assertEquals(Set.of(busy.dir().getFileName().toString(), busy.dir().getFileName() + ".lock"), names(root.resolve("tmp")));
        }
        assertEquals(Set.of(), names(root.resolve("tmp")));
    }

    private void import_(Image image) throws IOException {
        store.importArchive(writeTar(Files.createTempFile(tmp, "image", ".tar"), ociEntries(image)));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    /** {@code p}, {@code c MAJOR:MINOR}, as stat prints them. */
    private static String fileType(Path p) throws Exception {
        String out = run("stat", "-c", "%F %t:%T", p.toString());
        if (out.startsWith("fifo")) {
            return "p";
        }
        String[] dev = out.substring(out.lastIndexOf(' ') + 1).split(":");
        return (out.startsWith("character") ? "c " : "? ") + Integer.parseInt(dev[0], 16) + ":" + Integer.parseInt(dev[1], 16);
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** A layer tar with every kind of entry, all with {@link #MTIME}. */
    private static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

        Tar() {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Tar dir(String name, int mode, int uid, int gid) throws IOException {
            return add(entry(name, TarConstants.LF_DIR, mode, uid, gid), new byte[0]);
        }

        Tar file(String name, String content, int mode, int uid, int gid) throws IOException {
            return add(entry(name, TarConstants.LF_NORMAL, mode, uid, gid), content.getBytes(StandardCharsets.UTF_8));
        }

        Tar symlink(String name, String target) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777, 0, 0);
            e.setLinkName(target);
            return add(e, new byte[0]);
        }

        Tar hardlink(String name, String target) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644, 0, 0);
            e.setLinkName(target);
            return add(e, new byte[0]);
        }

        Tar fifo(String name) throws IOException {
            return add(entry(name, TarConstants.LF_FIFO, 0644, 0, 0), new byte[0]);
        }

        Tar charDevice(String name, int major, int minor) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_CHR, 0666, 0, 0);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            return add(e, new byte[0]);
        }

        byte[] bytes() throws IOException {
            tar.finish();
            return bytes.toByteArray();
        }

        private static TarArchiveEntry entry(String name, byte type, int mode, int uid, int gid) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode);
            e.setUserId(uid);
            e.setGroupId(gid);
            e.setModTime(FileTime.from(MTIME));
            return e;
        }

        private Tar add(TarArchiveEntry e, byte[] content) throws IOException {
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
            return this;
        }
    }
}
