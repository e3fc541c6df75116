package io.kubundle.proxy.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One proxy per network namespace and chain prefix (or nftables table): an exclusive lock on a
 * file named after both.
 * A second instance (the new bundle of a side-by-side swap, another process in the same namespace)
 * waits until the owner has removed its rules and let go, instead of rewriting the chains under
 * it. The lock is the kernel's ({@code fcntl}): a crashed owner loses it at once. Where the lock
 * file cannot be made, everyone owns (and says so in the log).
 *
 * <p>A new owner deletes the other lock files of its directory that nobody holds (namespaces
 * gone, proxies stopped), each while holding its lock; a waiter whose file was deleted under it
 * notices (the path no longer names the file it locked) and starts again with a new one.
 */
public final class Ownership implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ownership.class.getName());

    private final Path file;
    private FileChannel channel;
    private Object openedKey;
    private FileLock lock;
    private boolean warned;
    private boolean claimed;
    private final String id = ProcessHandle.current().pid() + "@" + Integer.toHexString(System.identityHashCode(this));

    public Ownership(Path file) {
        this.file = file;
    }

    /**
     * The lock file of the namespace this process runs in:
     * {@code /run/kubundle/<proxy>/netns-<inode>-<name>.lock}.
     *
     * @param proxy the proxy's directory ({@code proxy-iptables}): proxies of different kinds do not exclude each other
     * @param name what is owned ({@code KUBE}, a chain prefix; a table name)
     */
    public static Path defaultFile(String proxy, String name) {
        String namespace;
        try {
            namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            namespace = "unknown";
        }
        return Path.of("/run/kubundle", proxy, "netns-" + namespace + "-" + name + ".lock");
    }

    /**
     * True when this instance owns the chains (now or from before). Within one JVM (two bundle
     * versions side by side) only one instance at a time opens a lock file, claimed through a
     * system property that every class loader sees: POSIX drops all of a process's locks on a file
     * when any of its descriptors to it is closed, so a waiting instance closing its own would free
     * the owner's lock for other processes.
     */
    public synchronized boolean tryAcquire() {
        if (lock != null) {
            return true;
        }
        if (!claimed) {
            claimed = claim(file, id);
            if (!claimed) {
                return false;
            }
        }
        try {
            Files.createDirectories(file.getParent());
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                openedKey = fileKey(file);
            }
            lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            if (openedKey == null || !openedKey.equals(fileKey(file))) {
                // deleted (or replaced) as a stale file since we opened it: start again with the file at the path
                closeChannel();
                return false;
            }
            sweep();
            return true;
        } catch (OverlappingFileLockException e) {
            // held in this JVM by something that did not claim it first: wait
            return false;
        } catch (IOException e) {
            closeChannel();
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "cannot lock {0} ({1}): not guarded against a second proxy in this network namespace",
                        file, e.getMessage());
            }
            return true;
        }
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static String claimKey(Path path) {
        // the key proxy-iptables 1.x used before this class moved here: old and new bundles side by side see each other's claims
        return "io.kubundle.proxy.iptables.lock:" + path.toAbsolutePath();
    }

    private static boolean claim(Path path, String owner) {
        return System.getProperties().putIfAbsent(claimKey(path), owner) == null;
    }

    /** Deletes the other lock files of the directory that no process holds, each under its own lock. */
    private void sweep() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(file.getParent(), "*.lock")) {
            for (Path other : files) {
                if (other.getFileName().equals(file.getFileName()) || !claim(other, id)) {
                    continue;
                }
                try (FileChannel otherChannel = FileChannel.open(other, StandardOpenOption.WRITE)) {
                    FileLock otherLock = otherChannel.tryLock();
                    if (otherLock != null) {
                        Files.deleteIfExists(other);
                        otherLock.release();
                    }
                } catch (IOException | OverlappingFileLockException e) {
                    // held, or gone already: leave it
                } finally {
                    System.getProperties().remove(claimKey(other), id);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "sweeping {0}: {1}", file.getParent(), e.getMessage());
        }
    }

    private void closeChannel() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "releasing {0}: {1}", file, e.getMessage());
        } finally {
            lock = null;
            channel = null;
            openedKey = null;
        }
    }

    /** Lets go of the lock (and the claim); a later {@link #tryAcquire()} starts again. */
    @Override
    public synchronized void close() {
        closeChannel();
        if (claimed) {
            System.getProperties().remove(claimKey(file), id);
            claimed = false;
        }
    }
}
