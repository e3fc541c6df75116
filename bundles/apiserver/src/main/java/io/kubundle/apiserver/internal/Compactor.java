package io.kubundle.apiserver.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;

/**
 * Compacts the store's history as kube-apiserver does (its {@code --etcd-compaction-interval},
 * five minutes by default): at every tick, up to the revision the store had at the previous
 * tick, so at least one interval of history stays for watches to resume from, and the history
 * does not grow without bound. A watch or list from before that gets 410 Gone and relists.
 */
final class Compactor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

    private final Supplier<Store> store;
    private final ScheduledFuture<?> task;
    private long previous;

    /** @param intervalSeconds seconds between compactions; 0 or less: never compact */
    Compactor(Supplier<Store> store, ScheduledExecutorService timers, long intervalSeconds) {
        this.store = store;
        this.task = intervalSeconds > 0 ? timers.scheduleWithFixedDelay(this::tick, intervalSeconds, intervalSeconds, TimeUnit.SECONDS) : null;
    }

    /** One tick: compact to the last tick's revision, remember this one's. */
    void tick() {
        Store current = store.get();
        if (current == null) {
            return;
        }
        try {
            long revision = current.currentRevision();
            if (previous > 0 && previous > current.compactedRevision()) {
                current.compact(previous);
            }
            previous = revision;
        } catch (StoreException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "compacting the store failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
