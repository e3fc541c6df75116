package io.kubundle.apiserver.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.apiserver.internal.CachedObjects.Change;
import io.kubundle.apiserver.internal.CachedObjects.Item;

/**
 * One watch served from the {@link WatchCache}: filters the cache's changes (namespace,
 * selectors, with objects entering or leaving the selectors as ADDED and DELETED, as Kubernetes
 * sends them) into a bounded queue of events, encoded in the watch's {@link WatchFormat} once per
 * change for all watchers, and writes the queue to the client one batch at a time: while a batch
 * is being written the next one gathers, so a busy client gets fewer, larger writes.
 *
 * <p>{@link #offer}, {@link #added} and {@link #bookmark} are called under the cache's lock, in
 * revision order, and never block: a watcher whose queue is full has fallen too far behind and is
 * closed (as Kubernetes closes it); the client watches again from the last resourceVersion it saw.
 *
 * <p>A watch from a revision older than the cache's ring first <em>replays</em> the store's
 * history up to the revision the cache was at when it started ({@link #replayed}); the cache's
 * changes after that are held back meanwhile and follow once the history is through
 * ({@link #replayDone}), so no change is lost or sent twice.
 */
final class CacheWatcher {
    private final ResourceType type;
    private final String prefix;
    private final ListOptions options;
    private final WatchFormat format;
    private final ObjectMapper json;
    private final EventSink sink;
    private final int capacity;
    private final long after;
    private final Consumer<CacheWatcher> onClose;
    private final Object lock = new Object();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closed;
    private final List<Runnable> onEnd = new ArrayList<>();
    /** Orders what is sent: the replay, then the changes held back meanwhile, then the rest. */
    private final Object order = new Object();
    // guarded by order
    private boolean columnsSent;
    private List<Change> held;
    private long replayUntil;

    /**
     * @param after the revision the watch starts after: changes at or below it are not sent
     * @param onClose runs once when the watcher closes, to unregister it
     */
    CacheWatcher(ResourceType type, String namespace, ListOptions options, WatchFormat format, ObjectMapper json, EventSink sink,
            int capacity, long after, Consumer<CacheWatcher> onClose) {
        this.type = type;
        this.prefix = type.listPrefix(namespace);
        this.options = options;
        this.format = format;
        this.json = json;
        this.sink = sink;
        this.capacity = capacity;
        this.after = after;
        this.onClose = onClose;
    }

    long after() {
        return after;
    }

    /** The key prefix it watches. */
    String prefix() {
        return prefix;
    }

    /** Runs when the watch ends (cancels its timers, closes a store watch it replays from); at once if it has. */
    void onEnd(Runnable action) {
        synchronized (lock) {
            if (!closed) {
                onEnd.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * From now on, holds the cache's changes back until the store's history up to {@code until}
     * (the cache's revision) has been replayed.
     */
    void replayUntil(long until) {
        synchronized (order) {
            held = new ArrayList<>();
            replayUntil = until;
        }
    }

    /** A change from the store's history, in revision order; the first one past the replay ends it. */
    void replayed(Change change) {
        synchronized (order) {
            if (held == null) {
                return;
            }
            if (change.revision > replayUntil) {
                replayDone();
                return;
            }
            if (change.revision > after && change.key.startsWith(prefix)) {
                send(change);
            }
        }
    }

    /** Whether it still replays the store's history. */
    boolean replaying() {
        synchronized (order) {
            return held != null;
        }
    }

    /** The history is through: the changes held back follow. */
    void replayDone() {
        synchronized (order) {
            if (held != null) {
                List<Change> next = held;
                held = null;
                next.forEach(this::send);
            }
        }
    }

    /** An initial ADDED event (no resourceVersion, or "0"), if the object matches. */
    void added(Item item) {
        if (item.key.startsWith(prefix) && item.matches(options)) {
            synchronized (order) {
                enqueue(format.event(json, type, "ADDED", item, !columnsSent));
                columnsSent = true;
            }
        }
    }

    /** A change of the watched type, in revision order. */
    void offer(Change change) {
        if (change.revision <= after || !change.key.startsWith(prefix)) {
            return;
        }
        synchronized (order) {
            if (held != null) {
                held.add(change);
            } else {
                send(change);
            }
        }
    }

    private void send(Change change) {
        String seen = change.seenAs(options);
        if (seen != null) {
            enqueue(change.event(format, json, type, seen, !columnsSent));
            columnsSent = true;
        }
    }

    /** A BOOKMARK at {@code revision}: every change up to it has been offered. */
    void bookmark(long revision) {
        if (revision < after) {
            return;
        }
        ObjectNode object = json.createObjectNode();
        object.put("kind", type.kind()).put("apiVersion", type.apiVersion());
        object.putObject("metadata").put("resourceVersion", Long.toString(revision));
        synchronized (order) {
            if (held == null) {
                // not while replaying: the history before it is not all sent
                enqueue(format.event(json, "BOOKMARK", object));
            }
        }
    }

    private void enqueue(byte[] line) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (queue.size() < capacity) {
                queue.add(line);
                line = null;
            }
        }
        if (line != null) {
            // fell too far behind: Kubernetes closes such a watch, and so do we
            close(null);
        } else {
            drain();
        }
    }

    /** Writes what is queued, unless a write is in progress (its completion writes the rest). */
    private void drain() {
        List<byte[]> batch;
        synchronized (lock) {
            if (writing || closed || queue.isEmpty()) {
                return;
            }
            writing = true;
            batch = new ArrayList<>(queue);
            queue.clear();
        }
        sink.write(batch, this::written);
    }

    private void written(boolean ok) {
        if (!ok) {
            close(null);
            return;
        }
        synchronized (lock) {
            writing = false;
        }
        drain();
    }

    /** Ends the watch with an ERROR event (410 Expired when its position can no longer be served). */
    void fail(ApiException error) {
        close(format.event(json, "ERROR", error.toStatus()));
    }

    /** Ends the watch: nothing queued is sent, only {@code lastLine} if given. Idempotent. */
    void close(byte[] lastLine) {
        List<Runnable> ending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            ending = new ArrayList<>(onEnd);
        }
        ending.forEach(Runnable::run);
        onClose.accept(this);
        if (lastLine != null) {
            sink.write(List.of(lastLine), ok -> sink.end());
        } else {
            sink.end();
        }
    }

    boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }
}
