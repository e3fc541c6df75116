package io.kubundle.images;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A working directory in the store's {@code tmp/} for work done outside the store lock (a layer
 * unpacking, a download): {@code tmp/NAME/} with {@code tmp/NAME.lock} locked by its owner for as
 * long as it lives, so that garbage collection, in this process or another, sweeps only what
 * nobody works in. Create and sweep while holding the store lock, so neither sees the other
 * half-done.
 */
final class Scratch implements Closeable {
    private static final String LOCK_SUFFIX = ".lock";

    private final Path dir;
    private final Path lockFile;
    private final FileChannel channel;

    private Scratch(Path dir, Path lockFile, FileChannel channel) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.channel = channel;
    }

    static Scratch create(Path tmp, String prefix) throws IOException {
        Path dir = Files.createTempDirectory(tmp, prefix);
        Path lockFile = tmp.resolve(dir.getFileName() + LOCK_SUFFIX);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            channel.lock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Scratch(dir, lockFile, channel);
    }

    Path dir() {
        return dir;
    }

    /** Deletes the directory (whatever is still in it) and releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            Staging.deleteTree(dir);
            Files.deleteIfExists(lockFile);
        } finally {
            channel.close();
        }
    }

    /**
     * Deletes what nobody works in any longer: entries without a lock file (an interrupted import,
     * a write that died), and scratch directories whose lock file nobody holds.
     */
    static void sweep(Path tmp) throws IOException {
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tmp)) {
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.endsWith(LOCK_SUFFIX)) {
                    Path dir = tmp.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length()));
                    if (!inUse(p)) {
                        Staging.deleteTree(dir);
                        Files.deleteIfExists(p);
                    }
                } else if (!Files.exists(tmp.resolve(name + LOCK_SUFFIX))) {
                    Staging.deleteTree(p);
                }
            }
        }
    }

    private static boolean inUse(Path lockFile) throws IOException {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true; // another process holds it
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this process holds it
        }
    }
}
