package io.kubundle.images;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tarball (optionally gzipped) unpacked into a private directory inside the store, so that
 * verified blobs can be renamed into place on the same file system. Entries that would land
 * outside the directory are refused; links become copies of the file they point to (no
 * symbolic link is ever created).
 */
final class Staging implements Closeable {
    private final Path dir;

    private Staging(Path dir) {
        this.dir = dir;
    }

    static Staging unpack(Path tarball, Path tmpParent) throws IOException {
        Files.createDirectories(tmpParent);
        Staging staging = new Staging(Files.createTempDirectory(tmpParent, "import-"));
        try {
            staging.extract(tarball);
            return staging;
        } catch (IOException | RuntimeException e) {
            staging.close();
            throw e;
        }
    }

    private void extract(Path tarball) throws IOException {
        List<Path[]> links = new ArrayList<>();
        InputStream in = new BufferedInputStream(Files.newInputStream(tarball));
        try (TarArchiveInputStream tar = new TarArchiveInputStream(maybeGunzip(in))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path target = inside(e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    links.add(new Path[] {target, inside(target.getParent(), e.getLinkName())});
                } else if (e.isLink()) {
                    links.add(new Path[] {target, inside(e.getLinkName())});
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Path[] link : links) {
            if (!Files.isRegularFile(link[1])) {
                throw new IOException("archive entry " + dir.relativize(link[0]) + " links to a missing file " + dir.relativize(link[1]));
            }
            Files.createDirectories(link[0].getParent());
            Files.copy(link[1], link[0], StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Wraps {@code in} in a gzip reader when it starts with the gzip magic number. */
    static InputStream maybeGunzip(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
    }

    private Path inside(String name) throws IOException {
        return inside(dir, name);
    }

    private Path inside(Path base, String name) throws IOException {
        if (name.startsWith("/")) {
            throw new IOException("archive entry has an absolute path: " + name);
        }
        Path p = base.resolve(name).normalize();
        if (!p.startsWith(dir)) {
            throw new IOException("archive entry points outside the archive: " + name);
        }
        return p;
    }

    boolean has(String name) {
        try {
            return Files.isRegularFile(inside(name));
        } catch (IOException e) {
            return false;
        }
    }

    /** The unpacked file at {@code name} (a path inside the archive). */
    Path file(String name) throws IOException {
        Path p = inside(name);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(name, null, "not in the archive");
        }
        return p;
    }

    /** The unpacked blob {@code blobs/sha256/<hex>} of an OCI layout. */
    Path blob(String digest) throws IOException {
        return file("blobs/sha256/" + Digests.hex(Digests.check(digest)));
    }

    /** A new empty file in the staging directory, for content made during the import. */
    Path newFile() throws IOException {
        return Files.createTempFile(dir, "made-", ".tmp");
    }

    @Override
    public void close() throws IOException {
        deleteTree(dir);
    }

    /** Deletes {@code root} and everything under it, if it exists. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
