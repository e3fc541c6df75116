package io.kubundle.apiserver.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.apiserver.internal.CachedObjects.Change;
import io.kubundle.apiserver.internal.CachedObjects.Item;

/**
 * One watch served from the {@link WatchCache}: filters the cache's changes (namespace,
 * selectors, with objects entering or leaving the selectors as ADDED and DELETED, as Kubernetes
 * sends them) into a bounded queue, and writes the queue to the client one batch at a time: while
 * a batch is being written the next one gathers, so a busy client gets fewer, larger writes.
 *
 * <p>{@link #offer}, {@link #added} and {@link #bookmark} are called under the cache's lock, in
 * revision order, and never block: a watcher whose queue is full has fallen too far behind and is
 * closed (as Kubernetes closes it); the client watches again from the last resourceVersion it saw.
 */
final class CacheWatcher {
    private final ResourceType type;
    private final String prefix;
    private final ListOptions options;
    private final boolean table;
    private final ObjectMapper json;
    private final EventSink sink;
    private final int capacity;
    private final long after;
    private final Consumer<CacheWatcher> onClose;
    private final Object lock = new Object();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closed;
    private boolean columnsSent;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    /**
     * @param after the revision the watch starts after: changes at or below it are not sent
     * @param onClose runs once when the watcher closes, to unregister it
     */
    CacheWatcher(ResourceType type, String namespace, ListOptions options, boolean table, ObjectMapper json, EventSink sink,
            int capacity, long after, Consumer<CacheWatcher> onClose) {
        this.type = type;
        this.prefix = type.listPrefix(namespace);
        this.options = options;
        this.table = table;
        this.json = json;
        this.sink = sink;
        this.capacity = capacity;
        this.after = after;
        this.onClose = onClose;
    }

    long after() {
        return after;
    }

    /** The watch's own timers (bookmarks, timeout), cancelled when it closes. */
    void addTimer(ScheduledFuture<?> timer) {
        synchronized (lock) {
            if (closed) {
                timer.cancel(false);
            } else {
                timers.add(timer);
            }
        }
    }

    /** An initial ADDED event (no resourceVersion, or "0"), if the object matches. */
    void added(Item item) {
        if (item.key.startsWith(prefix) && item.matches(options)) {
            enqueue(table ? tableLine("ADDED", item.object) : CachedObjects.watchLine("ADDED", item.json(json)));
        }
    }

    /** A change of the watched type, in revision order. */
    void offer(Change change) {
        if (change.revision <= after || !change.key.startsWith(prefix)) {
            return;
        }
        boolean matchesNow = change.current != null && change.current.matches(options);
        boolean matchedBefore = change.previous != null && change.previous.matches(options);
        if (change.current == null) {
            if (matchedBefore) {
                enqueue(table ? tableLine("DELETED", change.deletedObject()) : change.deletedLine(json));
            }
        } else if (matchesNow) {
            String eventType = matchedBefore ? "MODIFIED" : "ADDED";
            enqueue(table ? tableLine(eventType, change.current.object) : change.line(json, eventType));
        } else if (matchedBefore) {
            // it left the selection: to this watcher it is gone
            enqueue(table ? tableLine("DELETED", change.current.object) : change.line(json, "DELETED"));
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
        enqueue(CachedObjects.watchLine(json, "BOOKMARK", object));
    }

    private byte[] tableLine(String eventType, ObjectNode object) {
        ObjectNode row = Tables.table(type, List.of(object), object.path("metadata").path("resourceVersion").asText(), null,
                !columnsSent);
        columnsSent = true;
        return CachedObjects.watchLine(json, eventType, row);
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
        close(CachedObjects.watchLine(json, "ERROR", error.toStatus()));
    }

    /** Ends the watch: nothing queued is sent, only {@code lastLine} if given. Idempotent. */
    void close(byte[] lastLine) {
        List<ScheduledFuture<?>> cancel;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            cancel = new ArrayList<>(timers);
        }
        cancel.forEach(timer -> timer.cancel(false));
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
