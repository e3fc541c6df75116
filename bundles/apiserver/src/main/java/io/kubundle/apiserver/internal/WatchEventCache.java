package io.kubundle.apiserver.internal;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.WatchEvent;

/**
 * Decodes each store event once and encodes each watch line once, however many watches see it:
 * with a hundred watchers on the same resource, parsing and serialising per watcher was where the
 * server's CPU went (docs/benchmarks.md). Each revision is one write of one key, so the revision
 * identifies the event. The objects handed out are shared: callers must not change them.
 */
final class WatchEventCache {
    private static final int CAPACITY = 4096;

    /** One store event, decoded. {@code previous} carries the deletion's revision for a delete. */
    static final class Entry {
        final ObjectNode current;
        final ObjectNode previous;
        private final Map<String, byte[]> lines = new ConcurrentHashMap<>();

        private Entry(ObjectNode current, ObjectNode previous) {
            this.current = current;
            this.previous = previous;
        }
    }

    private final ObjectStorage storage;
    private final ObjectMapper json;
    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
    private final Queue<Long> order = new ConcurrentLinkedQueue<>();

    WatchEventCache(ObjectStorage storage, ObjectMapper json) {
        this.storage = storage;
        this.json = json;
    }

    Entry entry(WatchEvent event) throws ApiException {
        Entry cached = entries.get(event.revision());
        if (cached != null) {
            return cached;
        }
        ObjectNode current = event.type() == WatchEvent.Type.DELETE ? null : storage.decode(event.current());
        ObjectNode previous = event.previous() == null ? null : storage.decode(event.previous());
        if (event.type() == WatchEvent.Type.DELETE && previous != null) {
            previous.with("metadata").put("resourceVersion", Long.toString(event.revision()));
        }
        Entry entry = new Entry(current, previous);
        Entry raced = entries.putIfAbsent(event.revision(), entry);
        if (raced != null) {
            return raced;
        }
        order.add(event.revision());
        while (entries.size() > CAPACITY) {
            Long oldest = order.poll();
            if (oldest == null) {
                break;
            }
            entries.remove(oldest);
        }
        return entry;
    }

    /** This event with one of its two objects, as {@code format} writes it (a JSON line, a protobuf frame). */
    byte[] line(Entry entry, String type, boolean previousObject, WatchFormat format) {
        return entry.lines.computeIfAbsent(format + "/" + type + (previousObject ? "/previous" : "/current"),
                k -> format.event(json, type, previousObject ? entry.previous : entry.current));
    }
}
