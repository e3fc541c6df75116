package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The runtime's side of the shims: a pair of {@link LogPump}s per running container, attached to
 * its FIFOs by at most one runtime instance at a time (a file lock, released by the kernel if the
 * JVM dies). A monitor lets a shim go once its container exited and the pipes are drained, and
 * adopts containers whose FIFOs nobody reads (after a restart, or when the instance that read them
 * left during a bundle swap).
 */
final class Supervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    private final Path containers;
    private final Function<String, Path> logPaths;
    private final Map<String, Attachment> attached = new ConcurrentHashMap<>();
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "native-supervisor");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param containers the directory holding one directory per container
     * @param logPaths a container id's log file, or null if it has no record
     */
    Supervisor(Path containers, Function<String, Path> logPaths) {
        this.containers = containers;
        this.logPaths = logPaths;
        monitor.scheduleWithFixedDelay(() -> guarded(this::drainExited), 100, 100, TimeUnit.MILLISECONDS);
        monitor.scheduleWithFixedDelay(() -> guarded(this::adoptAll), 0, 1, TimeUnit.SECONDS);
    }

    /** Attaches pumps to a container's FIFOs unless some instance already reads them. */
    void attach(String id) {
        ContainerDir dir = new ContainerDir(containers.resolve(id));
        if (attached.containsKey(id) || !dir.shimAlive()) {
            return;
        }
        synchronized (this) {
            Path logPath = logPaths.apply(id);
            if (attached.containsKey(id) || logPath == null) {
                return;
            }
            FileChannel lockFile = null;
            try {
                lockFile = FileChannel.open(dir.readerLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock();
                // Once acknowledged, the shim may be gone any moment: opening its FIFOs could block.
                if (lock == null || Files.exists(dir.ack())) {
                    lockFile.close();
                    return;
                }
                LogPump out = new LogPump(dir.fifo("stdout"), "stdout", logPath, "native-log-" + id + "-stdout");
                try {
                    LogPump err = new LogPump(dir.fifo("stderr"), "stderr", logPath, "native-log-" + id + "-stderr");
                    attached.put(id, new Attachment(dir, lockFile, out, err));
                } catch (IOException e) {
                    out.close();
                    throw e;
                }
            } catch (OverlappingFileLockException other) {
                closeQuietly(lockFile);
            } catch (IOException e) {
                closeQuietly(lockFile);
                LOG.log(System.Logger.Level.WARNING, "cannot read the output of container " + id + ": " + e);
            }
        }
    }

    /**
     * Waits until this instance's pumps of a container wrote everything its process printed (when
     * it exited), at most {@code millis}. Returns at once if this instance does not read it.
     */
    void awaitDrained(String id, long millis) throws InterruptedException {
        Attachment attachment = attached.get(id);
        long deadline = System.currentTimeMillis() + millis;
        while (attachment != null && !attachment.finished() && System.currentTimeMillis() < deadline) {
            drainExited();
            Thread.sleep(10);
        }
    }

    /** Stops reading a container's FIFOs (its shim keeps what is not read yet). */
    void detach(String id) {
        Attachment attachment = attached.remove(id);
        if (attachment != null) {
            attachment.close();
        }
    }

    /** Stops every pump, leaving the containers and their shims running. */
    @Override
    public void close() {
        monitor.shutdownNow();
        try {
            monitor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        attached.keySet().forEach(this::detach);
    }

    private synchronized void drainExited() {
        attached.forEach((id, attachment) -> {
            if (attachment.finished()) {
                attached.remove(id);
                attachment.close();
            } else if (Files.exists(attachment.dir.exit()) && attachment.drained()) {
                // The container's processes are gone, so nothing more can enter the pipes.
                try {
                    Files.createFile(attachment.dir.ack());
                } catch (FileAlreadyExistsException done) {
                    // acknowledged already
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot release the shim of " + id + ": " + e);
                }
            }
        });
    }

    private void adoptAll() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containers)) {
            for (Path dir : dirs) {
                attach(dir.getFileName().toString());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot scan " + containers + ": " + e);
        }
    }

    /** A periodic task that throws is never run again: log instead. */
    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "supervisor task failed", e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing a lock file
        }
    }

    private record Attachment(ContainerDir dir, FileChannel lock, LogPump out, LogPump err) {
        boolean drained() {
            return out.drained() && err.drained();
        }

        boolean finished() {
            return out.finished() && err.finished();
        }

        void close() {
            out.close();
            err.close();
            closeQuietly(lock);
        }
    }
}
