package io.kubundle.apiserver.internal;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.kubundle.api.store.WatchEvent;
import io.kubundle.apiserver.internal.CachedObjects.Change;
import io.kubundle.apiserver.internal.CachedObjects.Item;

/**
 * For watches that read the store rather than the {@link WatchCache} (the cache is off, not
 * ready yet, or a watch replays history older than the cache's): decodes each store event once
 * into a {@link Change}, however many watches see it, so that they share its decoded objects and
 * its encoded events, as the watch cache's watchers do. Each revision is one write of one key, so
 * the revision identifies the event.
 */
final class WatchEventCache {
    private static final int CAPACITY = 4096;

    private final ObjectStorage storage;
    private final Map<Long, Change> changes = new ConcurrentHashMap<>();
    private final Queue<Long> order = new ConcurrentLinkedQueue<>();

    WatchEventCache(ObjectStorage storage) {
        this.storage = storage;
    }

    /** The store event as a change, decoded once. */
    Change change(WatchEvent event) throws ApiException {
        Change cached = changes.get(event.revision());
        if (cached != null) {
            return cached;
        }
        Item current = event.type() == WatchEvent.Type.DELETE ? null : Item.decode(storage, event.current());
        Item previous = event.previous() == null ? null : Item.decode(storage, event.previous());
        Change change = new Change(event.revision(), event.current().key(), current, previous);
        Change raced = changes.putIfAbsent(event.revision(), change);
        if (raced != null) {
            return raced;
        }
        order.add(event.revision());
        while (changes.size() > CAPACITY) {
            Long oldest = order.poll();
            if (oldest == null) {
                break;
            }
            changes.remove(oldest);
        }
        return change;
    }
}
