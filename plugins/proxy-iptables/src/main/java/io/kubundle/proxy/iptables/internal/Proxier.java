package io.kubundle.proxy.iptables.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Keeps the kernel's rules at what the snapshot says, on one thread of its own, so syncs never
 * overlap. {@link #requestSync()} (from informer handlers: cheap, any thread) asks for a sync;
 * requests arriving within {@code minInterval} of the last sync are coalesced into the next one.
 * The first sync, one every {@code fullSyncPeriod}, and the one after any failure are full
 * (read {@code iptables-save}, rewrite all our chains, delete stale ones and leftovers of a
 * crashed instance, re-insert the jumps); the others write only the chains that changed. Each is
 * one {@code iptables-restore --noflush}. Nothing is written until the {@link Ownership} of the
 * namespace's chains is ours; {@link #close()} removes every chain and jump of ours (when asked
 * to) and lets it go.
 */
final class Proxier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Proxier.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    /** What one sync did. */
    record SyncResult(boolean full, int rules, int restoreBytes, long generateNanos, long saveNanos, long restoreNanos) {
    }

    private final Iptables iptables;
    private final RuleGenerator.Settings baseSettings;
    private final Supplier<Snapshot> source;
    private final Ownership ownership;
    private final long minIntervalNanos;
    private final long fullPeriodNanos;
    private final boolean cleanupOnClose;
    private final Thread thread;
    private final Object lock = new Object();

    private boolean requested = true;
    private volatile boolean closed;
    private boolean owner;
    private RuleGenerator generator;
    private RuleSet applied;
    private long lastSyncNanos;
    private long lastFullNanos;
    private long backoffMillis;
    private volatile SyncResult lastResult;
    private volatile long syncCount;

    Proxier(Iptables iptables, RuleGenerator.Settings settings, Supplier<Snapshot> source, Ownership ownership, Duration minInterval,
            Duration fullSyncPeriod, boolean cleanupOnClose) {
        this.iptables = iptables;
        this.baseSettings = settings;
        this.source = source;
        this.ownership = ownership;
        this.minIntervalNanos = minInterval.toNanos();
        this.fullPeriodNanos = fullSyncPeriod.toNanos();
        this.cleanupOnClose = cleanupOnClose;
        this.thread = new Thread(this::run, "proxy-iptables-sync");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a sync soon. Cheap and non-blocking; many requests make one sync. */
    void requestSync() {
        synchronized (lock) {
            requested = true;
            lock.notifyAll();
        }
    }

    /** The last sync's figures, null before the first. */
    SyncResult lastResult() {
        return lastResult;
    }

    /** Syncs done so far. */
    long syncCount() {
        return syncCount;
    }

    boolean isOwner() {
        return owner;
    }

    private void run() {
        while (!closed) {
            try {
                if (!owner) {
                    owner = ownership.tryAcquire();
                    if (!owner) {
                        sleep(500);
                        continue;
                    }
                    LOG.log(System.Logger.Level.INFO, "proxy-iptables: owns the {0}- chains; {1}", baseSettings.prefix(), versionQuietly());
                }
                awaitWork();
                if (closed) {
                    return;
                }
                boolean full = applied == null || System.nanoTime() - lastFullNanos >= fullPeriodNanos;
                syncOnce(full);
                backoffMillis = 0;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                applied = null;
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis == 0 ? 500 : backoffMillis * 2);
                LOG.log(System.Logger.Level.WARNING, "proxy-iptables: sync failed, a full sync in {0} ms: {1}", backoffMillis,
                        e.toString());
                requestSync();
                try {
                    sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private String versionQuietly() {
        try {
            return iptables.version();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Waits for a request (or the full resync) and for the minimum interval since the last sync. */
    private void awaitWork() throws InterruptedException {
        synchronized (lock) {
            while (!closed && !requested) {
                if (applied == null) {
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

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** One sync, on the sync thread (or a test's, before {@link #start()}). */
    SyncResult syncOnce(boolean full) throws IOException {
        if (!owner) {
            owner = ownership.tryAcquire();
            if (!owner) {
                throw new IOException("another proxy owns the " + baseSettings.prefix() + "- chains of this network namespace");
            }
        }
        long started = System.nanoTime();
        lastSyncNanos = started;
        Snapshot snapshot = source.get();
        String localCidr = baseSettings.localCidr().isEmpty() ? snapshot.nodePodCidr() : baseSettings.localCidr();
        if (generator == null || !generator.settings().localCidr().equals(localCidr)) {
            generator = new RuleGenerator(new RuleGenerator.Settings(baseSettings.prefix(), baseSettings.masqueradeBit(), localCidr,
                    baseSettings.masqueradeAll(), baseSettings.nodePortCidrs(), baseSettings.localhostNodePorts()));
        }
        RuleSet wanted = generator.generate(snapshot.ports(), snapshot.endpoints());
        long generated = System.nanoTime();
        String input;
        if (full || applied == null) {
            full = true;
            input = wanted.fullRestore(IptablesSave.parse(iptables.save()), generator.names());
        } else {
            input = wanted.partialRestore(applied);
        }
        long written = System.nanoTime();
        if (input != null) {
            iptables.restore(input);
        }
        long restored = System.nanoTime();
        applied = wanted;
        if (full) {
            lastFullNanos = started;
        }
        syncCount++;
        SyncResult result = new SyncResult(full, wanted.ruleCount(), input == null ? 0 : input.length(), generated - started,
                written - generated, restored - written);
        lastResult = result;
        LOG.log(System.Logger.Level.DEBUG, "proxy-iptables: {0}", result);
        return result;
    }

    /** Removes every chain of ours and every jump into them; what deactivation does. */
    static void cleanup(Iptables iptables, ChainNames names) throws IOException {
        String input = RuleSet.cleanupRestore(IptablesSave.parse(iptables.save()), names);
        if (input != null) {
            iptables.restore(input);
        }
    }

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
                cleanup(iptables, new ChainNames(baseSettings.prefix()));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "proxy-iptables: could not remove its chains: {0}", e.getMessage());
            }
        }
        ownership.close();
        owner = false;
    }
}
