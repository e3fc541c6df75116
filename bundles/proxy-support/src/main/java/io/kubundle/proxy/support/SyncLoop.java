package io.kubundle.proxy.support;

import java.io.IOException;
import java.time.Duration;

/**
 * Keeps the kernel's rules at what the snapshot says, on one thread of its own, so syncs never
 * overlap. {@link #requestSync()} (from informer handlers: cheap, any thread) asks for a sync;
 * requests arriving within {@code minInterval} of the last sync are coalesced into the next one.
 * The first sync, one every {@code fullSyncPeriod}, and the one after any failure are full (the
 * {@link Syncer} rewrites everything of ours and removes leftovers); the others may write only
 * what changed. Nothing is written until the {@link Ownership} of the namespace's rules is ours;
 * {@link #close()} runs {@link Syncer#cleanup()} (when asked to) and lets it go. A failed sync
 * makes the next one full, after a back-off from 0.5 s to 30 s.
 */
public final class SyncLoop implements ClusterWatch.Proxy {
    private static final System.Logger LOG = System.getLogger(SyncLoop.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    /** What the loop drives: called on the loop's thread only (or a test's, through {@link #syncNow}), never two at once. */
    public interface Syncer {
        /**
         * Brings the kernel's rules to the current snapshot in one transaction.
         *
         * @param full rewrite everything of ours and remove what is not wanted; else write only
         *        what changed since the last successful sync (a syncer that cannot may write all)
         * @throws IOException when the kernel refused: the next sync is full
         */
        void sync(boolean full) throws IOException;

        /** Removes every rule of ours; called at {@link SyncLoop#close()} while still the owner. */
        void cleanup() throws IOException;

        /** What is owned, for the log ({@code the KUBE- chains}). */
        String describe();
    }

    private final String name;
    private final Syncer syncer;
    private final Ownership ownership;
    private final long minIntervalNanos;
    private final long fullPeriodNanos;
    private final boolean cleanupOnClose;
    private final Thread thread;
    private final Object lock = new Object();

    private boolean requested = true;
    private volatile boolean closed;
    private volatile boolean owner;
    private boolean synced;
    private long lastSyncNanos;
    private long lastFullNanos;
    private long backoffMillis;
    private volatile long syncCount;
    /** Counted down by the first sync, or by finding another instance owns the namespace, or by a failed first sync. */
    private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);

    /** @param name the proxy, for the log and the thread's name ({@code proxy-iptables}) */
    public SyncLoop(String name, Syncer syncer, Ownership ownership, Duration minInterval, Duration fullSyncPeriod,
            boolean cleanupOnClose) {
        this.name = name;
        this.syncer = syncer;
        this.ownership = ownership;
        this.minIntervalNanos = minInterval.toNanos();
        this.fullPeriodNanos = fullSyncPeriod.toNanos();
        this.cleanupOnClose = cleanupOnClose;
        this.thread = new Thread(this::run, name + "-sync");
        thread.setDaemon(true);
    }

    @Override
    public void start() {
        thread.start();
    }

    /** Asks for a sync soon. Cheap and non-blocking; many requests make one sync. */
    @Override
    public void requestSync() {
        synchronized (lock) {
            requested = true;
            lock.notifyAll();
        }
    }

    /** Syncs done so far. */
    public long syncCount() {
        return syncCount;
    }

    public boolean isOwner() {
        return owner;
    }

    /**
     * Waits until the first sync is done (true), or it is clear it will not come soon: another
     * instance owns the namespace, or the first sync failed (false, at once), or {@code timeout}
     * passed (false).
     */
    public boolean awaitFirstSync(Duration timeout) throws InterruptedException {
        settled.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return syncCount > 0;
    }

    private void run() {
        while (!closed) {
            try {
                if (!owner) {
                    owner = ownership.tryAcquire();
                    if (!owner) {
                        settled.countDown();
                        Thread.sleep(500);
                        continue;
                    }
                    LOG.log(System.Logger.Level.INFO, "{0}: owns {1}", name, syncer.describe());
                }
                awaitWork();
                if (closed) {
                    return;
                }
                syncNow(!synced || System.nanoTime() - lastFullNanos >= fullPeriodNanos);
                backoffMillis = 0;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                settled.countDown();
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis == 0 ? 500 : backoffMillis * 2);
                LOG.log(System.Logger.Level.WARNING, "{0}: sync failed, a full sync in {1} ms: {2}", name, backoffMillis, e.toString());
                requestSync();
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Waits for a request (or the full resync) and for the minimum interval since the last sync. */
    private void awaitWork() throws InterruptedException {
        synchronized (lock) {
            while (!closed && !requested) {
                if (!synced) {
                    // nothing applied yet: only a request starts the next (full) sync
                    lock.wait();
                    continue;
                }
                long untilFull = fullPeriodNanos - (System.nanoTime() - lastFullNanos);
                if (untilFull <= 0) {
                    break;
                }
                lock.wait(Math.max(1, untilFull / 1_000_000));
            }
        }
        long wait = minIntervalNanos - (System.nanoTime() - lastSyncNanos);
        if (wait > 0 && lastSyncNanos != 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        synchronized (lock) {
            requested = false;
        }
    }

    /**
     * One sync now, on the loop's thread (or a test's, before {@link #start()}); full when asked
     * or when nothing was applied yet. Fails when another instance owns the namespace's rules.
     */
    public void syncNow(boolean full) throws IOException {
        if (!owner) {
            owner = ownership.tryAcquire();
            if (!owner) {
                throw new IOException("another proxy owns " + syncer.describe() + " of this network namespace");
            }
        }
        long started = System.nanoTime();
        lastSyncNanos = started;
        boolean wasSynced = synced;
        synced = false;
        syncer.sync(full || !wasSynced);
        synced = true;
        settled.countDown();
        if (full || !wasSynced) {
            lastFullNanos = started;
        }
        syncCount++;
    }

    /** Stops the thread, removes our rules (when asked to, and only as the owner) and lets the namespace go. */
    @Override
    public void close() {
        closed = true;
        requestSync();
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (owner && cleanupOnClose) {
            try {
                syncer.cleanup();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: could not remove {1}: {2}", name, syncer.describe(), e.getMessage());
            }
        }
        ownership.close();
        owner = false;
    }
}
