package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer tar (gzipped or not) into a directory that overlayfs can use as a lower
 * directory: modes (with setuid, setgid, sticky), owners, symbolic links, hard links within the
 * layer, modification times, devices and fifos; an OCI whiteout {@code .wh.NAME} becomes
 * overlayfs' whiteout (a character device 0:0 named NAME, made by {@code mknod}) and an opaque
 * marker {@code .wh..wh..opq} the {@code trusted.overlay.opaque=y} attribute of its directory
 * (set by {@code setfattr}), as Java can do neither.
 *
 * <p>Entries are refused when they would land outside the directory, whether by {@code ..} or
 * through a symbolic link an earlier entry made; nothing here ever follows a link the layer
 * made. The uncompressed stream must hash to the layer's diff_id. The result is synced to disk
 * before the caller renames it into place.
 */
final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final boolean ROOT = isRoot();
    /** Whiteouts made by one mknod-loop process, so that a layer deleting many files forks few. */
    private static final int WHITEOUTS_PER_PROCESS = 256;

    private final Path root;
    private final List<Path> whiteouts = new ArrayList<>();
    private final List<Path> opaque = new ArrayList<>();
    private final List<Deferred> dirs = new ArrayList<>();

    private LayerUnpacker(Path root) {
        this.root = root;
    }

    /**
     * Unpacks {@code layer} (closed here) into {@code root}, an empty directory.
     *
     * @throws DigestMismatchException when the uncompressed content does not hash to {@code diffId}
     */
    static void unpack(InputStream layer, String diffId, Path root) throws IOException {
        MessageDigest md = Digests.sha256();
        try (InputStream in = new DigestInputStream(Staging.maybeGunzip(layer), md)) {
            new LayerUnpacker(root).extract(in);
            in.transferTo(OutputStream.nullOutputStream()); // the tar's trailing blocks count too
        }
        String actual = Digests.format(md);
        if (!actual.equals(diffId)) {
            throw new DigestMismatchException("layer " + diffId + " unpacks to content that hashes to " + actual);
        }
        // one syncfs rather than an fsync per file: after a crash, a layer directory is whole or absent
        run("sync", "-f", root.toString());
    }

    private void extract(InputStream in) throws IOException {
        // not closed: closing it would close the digest stream before the trailing blocks are read
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        // a layer without a "./" entry still needs a root every user can enter
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            entry(tar, e);
        }
        mknodWhiteouts();
        for (Path dir : opaque) {
            run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", dir.toString());
        }
        // deepest first: a read-only parent must not stop its children's times being set
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Deferred d = dirs.get(i);
            attributes(d.path(), d.entry());
        }
    }

    private void entry(TarArchiveInputStream tar, TarArchiveEntry e) throws IOException {
        String name = relative(e.getName());
        if (name.isEmpty()) {
            if (e.isDirectory()) {
                dirs.add(new Deferred(root, e)); // "./": the layer's root directory itself
            }
            return;
        }
        Path target = inside(name);
        String base = target.getFileName().toString();
        if (base.equals(OPAQUE)) {
            Files.createDirectories(target.getParent());
            opaque.add(target.getParent());
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            if (base.startsWith(WHITEOUT + WHITEOUT)) {
                return; // other aufs metadata (.wh..wh.plnk and the like) means nothing to overlayfs
            }
            Path deleted = target.resolveSibling(base.substring(WHITEOUT.length()));
            Files.createDirectories(target.getParent());
            clear(deleted, false);
            whiteouts.add(deleted);
            return;
        }
        Files.createDirectories(target.getParent());
        clear(target, e.isDirectory());
        if (e.isDirectory()) {
            Files.createDirectories(target);
            dirs.add(new Deferred(target, e));
            return;
        }
        if (e.isSymbolicLink()) {
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            Path existing = inside(relative(e.getLinkName()));
            if (!Files.isRegularFile(existing, NOFOLLOW) && !Files.isSymbolicLink(existing)) {
                throw new IOException("layer entry " + name + " is a hard link to " + e.getLinkName() + ", which is no file of the layer");
            }
            Files.createLink(target, existing);
            return; // a hard link shares the attributes of the file it links to
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            if (!mknod(target, e)) {
                return;
            }
        } else if (e.isFile()) {
            Files.copy(tar, target);
        } else {
            return; // other entry types (sockets, sparse leftovers) have no place in a root file system
        }
        attributes(target, e);
    }

    private boolean mknod(Path target, TarArchiveEntry e) throws IOException {
        if (!ROOT) {
            return false; // only root may make devices; the runtime mounts /dev anyway
        }
        if (e.isFIFO()) {
            run("mknod", target.toString(), "p");
        } else {
            run("mknod", target.toString(), e.isCharacterDevice() ? "c" : "b",
                    Integer.toString(e.getDevMajor()), Integer.toString(e.getDevMinor()));
        }
        return true;
    }

    private void mknodWhiteouts() throws IOException {
        for (int i = 0; i < whiteouts.size(); i += WHITEOUTS_PER_PROCESS) {
            List<String> command = new ArrayList<>(List.of("sh", "-c", "for p; do mknod \"$p\" c 0 0 || exit 1; done", "mknod"));
            whiteouts.subList(i, Math.min(whiteouts.size(), i + WHITEOUTS_PER_PROCESS)).forEach(p -> command.add(p.toString()));
            run(command.toArray(String[]::new));
        }
    }

    /** Owner (root only), then mode (chown clears setuid bits), then times; never through a link. */
    private static void attributes(Path p, TarArchiveEntry e) throws IOException {
        boolean link = Files.isSymbolicLink(p);
        if (ROOT) {
            Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
            Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
        }
        if (!link) {
            Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        }
        FileTime mtime = e.getLastModifiedTime();
        if (mtime == null) {
            return;
        }
        if (link || Files.isRegularFile(p, NOFOLLOW) || Files.isDirectory(p, NOFOLLOW)) {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, null, null);
        } else {
            // Java sets times through an open file, and opening a fifo blocks (a device, worse, acts)
            Instant t = mtime.toInstant();
            run("touch", "-h", "-d", "@" + t.getEpochSecond() + "." + String.format("%09d", t.getNano()), p.toString());
        }
    }

    /** Removes what is at {@code p} before an entry replaces it; a directory stays for a directory. */
    private static void clear(Path p, boolean forDirectory) throws IOException {
        if (Files.isDirectory(p, NOFOLLOW) && forDirectory) {
            return;
        }
        if (Files.exists(p, NOFOLLOW)) {
            Staging.deleteTree(p);
        }
    }

    /** The entry name without leading {@code /} or {@code ./}, normalized; {@code ..} out of the layer is refused. */
    private static String relative(String name) throws IOException {
        String n = name;
        while (n.startsWith("/") || n.startsWith("./")) {
            n = n.substring(n.startsWith("/") ? 1 : 2);
        }
        Path p = Path.of(n).normalize();
        if (p.startsWith("..")) {
            throw new IOException("layer entry " + name + " points outside the layer");
        }
        String s = p.toString();
        return s.equals(".") ? "" : s;
    }

    /** {@code root/name}, refused when an existing component of its parent is a symbolic link. */
    private Path inside(String name) throws IOException {
        Path target = root.resolve(name);
        for (Path dir = target.getParent(); !dir.equals(root); dir = dir.getParent()) {
            if (Files.isSymbolicLink(dir)) {
                throw new IOException("layer entry " + name + " goes through the symbolic link " + root.relativize(dir));
            }
        }
        return target;
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(command[0] + " did not finish in a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + command[0], e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command.length > 6 ? List.of(command).subList(0, 6) : List.of(command))
                    + " failed with exit code " + p.exitValue() + (output.isEmpty() ? "" : ": " + output));
        }
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A directory whose attributes are set after its content is written. */
    private record Deferred(Path path, TarArchiveEntry entry) {
    }
}
