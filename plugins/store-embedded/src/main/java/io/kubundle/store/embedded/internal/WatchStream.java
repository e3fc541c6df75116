package io.kubundle.store.embedded.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * One watch: replays history from the log in pages up to the revision it was registered at, then
 * delivers the live events buffered meanwhile. It runs as a task on the hub's threads, at most one
 * at a time ({@code scheduled}), so its listener is never called concurrently.
 */
final class WatchStream implements Watch, Runnable {
    private static final int PAGE = 1000;

    private final WatchHub hub;
    private final String prefix;
    private final byte[] lo;
    private final byte[] hi;
    private final WatchListener listener;
    /** History up to here comes from the log; later events come live. */
    private final long replayTo;
    private final CountDownLatch finished = new CountDownLatch(1);
    /** The last revision delivered or passed over; touched by the running task only. */
    private long cursor;

    // guarded by this
    private List<WatchEvent> pending = new ArrayList<>();
    private boolean scheduled;
    private boolean closing;
    private Throwable cause;

    WatchStream(WatchHub hub, String prefix, byte[] lo, byte[] hi, long after, long replayTo, WatchListener listener) {
        this.hub = hub;
        this.prefix = prefix;
        this.lo = lo;
        this.hi = hi;
        this.cursor = after;
        this.replayTo = replayTo;
        this.listener = listener;
    }

    /** Starts delivery: the first round replays the history, if there is any. */
    synchronized void start() {
        schedule();
    }

    /** Takes the matching events of a published batch; runs on the writer thread. */
    synchronized void offer(List<WatchEvent> events) {
        if (closing) {
            return;
        }
        int before = pending.size();
        for (WatchEvent event : events) {
            // for well-formed strings a UTF-8 byte prefix is a char prefix
            if (event.current().key().startsWith(prefix)) {
                if (pending.size() >= hub.buffer) {
                    close(new StoreException("watch of '" + prefix + "' fell behind by more than " + hub.buffer
                            + " events; watch again from the last revision it saw"));
                    return;
                }
                pending.add(event);
            }
        }
        if (pending.size() > before) {
            schedule();
        }
    }

    @Override
    public void close() {
        close(null);
    }

    synchronized void close(Throwable why) {
        if (closing) {
            return;
        }
        closing = true;
        cause = why;
        pending = List.of();
        schedule();
    }

    /** Waits until onClose has returned. */
    void awaitFinished(long seconds) throws TimeoutException {
        try {
            if (!finished.await(seconds, TimeUnit.SECONDS)) {
                throw new TimeoutException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        List<WatchEvent> live = null;
        Throwable closeWith = null;
        boolean finish;
        synchronized (this) {
            finish = closing;
            if (finish) {
                closeWith = cause;
            } else if (cursor >= replayTo) {
                if (pending.isEmpty()) {
                    scheduled = false;
                    return;
                }
                live = pending;
                pending = new ArrayList<>();
            }
        }
        if (finish) {
            finish(closeWith);
            return;
        }
        try {
            List<WatchEvent> events = live == null ? replayPage() : after(live);
            if (!events.isEmpty()) {
                listener.onEvents(Collections.unmodifiableList(events));
            }
        } catch (Exception e) {
            close(e);
        }
        // still scheduled: the next round replays more, delivers more, finds nothing or closes
        hub.executor.execute(this);
    }

    private List<WatchEvent> replayPage() throws StoreException {
        List<WatchEvent> page = hub.history.events(lo, hi, cursor, replayTo, PAGE);
        // compaction past the cursor may have removed rows this page should have had
        long compacted = hub.revisions.compacted;
        if (compacted > cursor) {
            throw new CompactedException(cursor, compacted);
        }
        cursor = page.size() < PAGE ? replayTo : page.get(page.size() - 1).revision();
        return page;
    }

    /** The live events not yet passed over: a watch from a future revision skips up to it. */
    private List<WatchEvent> after(List<WatchEvent> live) {
        int first = 0;
        while (first < live.size() && live.get(first).revision() <= cursor) {
            first++;
        }
        List<WatchEvent> events = live.subList(first, live.size());
        if (!events.isEmpty()) {
            cursor = events.get(events.size() - 1).revision();
        }
        return events;
    }

    private void finish(Throwable why) {
        try {
            listener.onClose(why);
        } catch (RuntimeException e) {
            SqliteStore.LOG.log(System.Logger.Level.WARNING, "a watch listener failed in onClose", e);
        } finally {
            hub.finished(this);
            finished.countDown();
        }
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            hub.executor.execute(this);
        }
    }
}
