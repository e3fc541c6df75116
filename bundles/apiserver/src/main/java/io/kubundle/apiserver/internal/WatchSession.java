package io.kubundle.apiserver.internal;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * One {@code ?watch=true} request: optional initial ADDED events, then the store's events as
 * {@code {"type":..., "object":...}} lines (or protobuf frames: {@link WatchFormat}), bookmarks if asked for, until the client leaves, the
 * timeout passes or the store closes the watch. Events whose object enters or leaves the
 * selectors become ADDED and DELETED, as Kubernetes sends them.
 */
final class WatchSession implements WatchListener {
    static final long BOOKMARK_SECONDS = 10;

    private final ResourceType type;
    private final ListOptions options;
    private final ObjectStorage storage;
    private final WatchEventCache events;
    private final ObjectMapper json;
    private final EventSink sink;
    private final WatchFormat format;
    private final Object lock = new Object();
    private Watch watch;
    private ScheduledFuture<?> bookmarks;
    private ScheduledFuture<?> timeout;
    private long lastRevision;
    private boolean columnsSent;
    private boolean closed;

    WatchSession(ResourceType type, ListOptions options, ObjectStorage storage, WatchEventCache events, ObjectMapper json,
            EventSink sink, WatchFormat format) {
        this.type = type;
        this.options = options;
        this.storage = storage;
        this.events = events;
        this.json = json;
        this.sink = sink;
        this.format = format;
    }

    /** Starts streaming; returns at once, the store delivers on its own threads. */
    void start(String namespace, String resourceVersion, boolean allowBookmarks, int timeoutSeconds,
            ScheduledExecutorService timers) throws ApiException {
        long after = ListOptions.revision(resourceVersion);
        sink.begin(format.contentType());
        synchronized (lock) {
            if (after == 0) {
                // no version, or "0": start with the current state as ADDED events
                ObjectStorage.Page page = storage.list(type, namespace, new ListOptions(options.labels(), options.fields(), 0,
                        null, null, null));
                for (ObjectNode object : page.items()) {
                    writeLine(format.event(json, type, "ADDED", new CachedObjects.Item(null, object, 0), !columnsSent));
                    columnsSent = true;
                }
                after = page.revision();
            }
            lastRevision = after;
        }
        try {
            watch = storage.store().watch(type.listPrefix(namespace), after, this);
        } catch (CompactedException e) {
            sendError(ApiException.gone("too old resource version: " + after + " (" + e.compactedRevision() + ")"));
            finish();
            return;
        } catch (StoreException e) {
            sendError(ObjectStorage.storeFailure(e));
            finish();
            return;
        }
        sink.onClientGone(this::finish);
        if (allowBookmarks) {
            bookmarks = timers.scheduleAtFixedRate(this::bookmark, BOOKMARK_SECONDS, BOOKMARK_SECONDS, TimeUnit.SECONDS);
        }
        if (timeoutSeconds > 0) {
            timeout = timers.schedule(this::finish, timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
        synchronized (lock) {
            for (WatchEvent event : events) {
                try {
                    deliver(event);
                } catch (ApiException e) {
                    sendError(e);
                }
                lastRevision = event.revision();
            }
        }
    }

    private void deliver(WatchEvent event) throws ApiException {
        // the change's objects and events are shared with every other watch: read them, never change them
        CachedObjects.Change change = events.change(event);
        String seen = change.seenAs(options);
        if (seen != null) {
            writeLine(change.event(format, json, type, seen, !columnsSent));
            columnsSent = true;
        }
    }

    @Override
    public void onClose(Throwable cause) {
        if (cause != null) {
            sendError(ApiException.internal("watch closed by the store: " + cause.getMessage()));
        }
        finish();
    }

    private void bookmark() {
        synchronized (lock) {
            ObjectNode object = json.createObjectNode();
            object.put("kind", type.kind()).put("apiVersion", type.apiVersion());
            object.putObject("metadata").put("resourceVersion", Long.toString(lastRevision));
            writeEvent("BOOKMARK", object);
        }
    }

    private void sendError(ApiException error) {
        synchronized (lock) {
            writeEvent("ERROR", error.toStatus());
        }
    }

    private void writeEvent(String eventType, ObjectNode object) {
        if (closed) {
            return;
        }
        try {
            writeLine(format.event(json, eventType, object));
        } catch (RuntimeException e) {
            finish();
        }
    }

    private void writeLine(byte[] line) {
        if (!closed && !sink.write(line)) {
            finish();
        }
    }

    /** Ends the watch: store watch, timers and response. Idempotent. */
    void finish() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (watch != null) {
            watch.close();
        }
        if (bookmarks != null) {
            bookmarks.cancel(false);
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        sink.end();
    }
}
