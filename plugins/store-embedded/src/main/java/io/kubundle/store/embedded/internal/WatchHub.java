package io.kubundle.store.embedded.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * The watches of a store and the threads that deliver to them. A new watch is registered under the
 * same lock the writer publishes under, so the revision it replays history up to and the first
 * live event it gets are adjacent: no gap, no duplicate.
 */
final class WatchHub {
    /** Reads the history a new watch replays. */
    interface History {
        List<WatchEvent> events(byte[] lo, byte[] hi, long after, long upTo, int limit) throws StoreException;
    }

    private static final long CLOSE_WAIT_SECONDS = 10;

    final Revisions revisions;
    final History history;
    final int buffer;
    final ExecutorService executor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    // every watch until its onClose has run
    private final List<WatchStream> streams = new CopyOnWriteArrayList<>();
    private boolean closed; // guarded by this

    WatchHub(Revisions revisions, History history, int buffer, int threadCount) {
        this.revisions = revisions;
        this.history = history;
        this.buffer = buffer;
        executor = new ThreadPoolExecutor(threadCount, threadCount, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "kubundle-store-watch-" + (threads.size() + 1));
                    thread.setDaemon(true);
                    threads.add(thread);
                    return thread;
                });
    }

    Watch watch(String prefix, long after, WatchListener listener) throws StoreException {
        if (after < 0) {
            throw new IllegalArgumentException("negative revision " + after);
        }
        byte[] lo = Keys.prefix(prefix);
        WatchStream stream;
        synchronized (this) {
            if (closed) {
                throw new StoreException("the store is closed");
            }
            long compacted = revisions.compacted;
            if (after < compacted) {
                throw new CompactedException(after, compacted);
            }
            stream = new WatchStream(this, prefix, lo, Keys.end(lo), after, revisions.current, listener);
            streams.add(stream);
        }
        stream.start();
        return stream;
    }

    /** Makes {@code revision} the current one and hands its batch of events to every watch. */
    synchronized void publish(long revision, List<WatchEvent> events) {
        revisions.current = revision;
        for (WatchStream stream : streams) {
            stream.offer(events);
        }
    }

    void finished(WatchStream stream) {
        streams.remove(stream);
    }

    /** Closes every watch with {@code cause}, waits for their onClose, and stops the threads. */
    void close(Throwable cause) {
        List<WatchStream> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(streams);
        }
        for (WatchStream stream : open) {
            stream.close(cause);
        }
        for (WatchStream stream : open) {
            try {
                stream.awaitFinished(CLOSE_WAIT_SECONDS);
            } catch (TimeoutException e) {
                SqliteStore.LOG.log(System.Logger.Level.WARNING, "a watch listener did not return within "
                        + CLOSE_WAIT_SECONDS + " s; stopping its thread");
            }
        }
        executor.shutdownNow();
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
