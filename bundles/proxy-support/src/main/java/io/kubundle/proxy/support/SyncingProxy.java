package io.kubundle.proxy.support;

import java.io.IOException;
import java.time.Duration;

/**
 * A proxy driven by a {@link SyncLoop}: a subclass says how to sync ({@link #sync(boolean)}),
 * clean up and describe itself, and gets the loop's thread, coalescing, full resyncs, back-off and
 * namespace ownership.
 *
 * @param <R> what one sync reports (figures for logs, tests and benchmarks)
 */
public abstract class SyncingProxy<R> implements ClusterWatch.Proxy, SyncLoop.Syncer {
    private final SyncLoop loop;
    private final java.util.function.Supplier<Snapshot> source;
    private volatile R lastResult;

    /**
     * @param name the proxy, for the log ({@code proxy-iptables})
     * @param source what to sync to, read once per sync ({@link ClusterWatch#snapshot()})
     */
    protected SyncingProxy(String name, java.util.function.Supplier<Snapshot> source, Ownership ownership, Duration minInterval,
            Duration fullSyncPeriod, boolean cleanupOnClose) {
        this.source = source;
        this.loop = new SyncLoop(name, this, ownership, minInterval, fullSyncPeriod, cleanupOnClose);
    }

    /** The cluster as it is now; call once per sync. */
    protected final Snapshot snapshot() {
        return source.get();
    }

    @Override
    public final void start() {
        loop.start();
    }

    /** Asks for a sync soon. Cheap and non-blocking; many requests make one sync. */
    @Override
    public final void requestSync() {
        loop.requestSync();
    }

    /** Syncs done so far. */
    public final long syncCount() {
        return loop.syncCount();
    }

    public final boolean isOwner() {
        return loop.isOwner();
    }

    @Override
    public final boolean awaitFirstSync(Duration timeout) throws InterruptedException {
        return loop.awaitFirstSync(timeout);
    }

    /** One sync now, on the caller's thread (tests, benchmarks, before {@link #start()}); what it reported. */
    public final R syncOnce(boolean full) throws IOException {
        loop.syncNow(full);
        return lastResult;
    }

    /** The last sync's report, null before the first. */
    public final R lastResult() {
        return lastResult;
    }

    /** Called by {@link #sync(boolean)} with what it did. */
    protected final void reported(R result) {
        lastResult = result;
    }

    /** The pod CIDR in effect: the configured one, else this node's from the snapshot (empty while unknown). */
    protected static String localCidr(String configured, Snapshot snapshot) {
        return configured.isEmpty() ? snapshot.nodePodCidr() : configured;
    }

    @Override
    public final void close() {
        loop.close();
    }
}
