package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import io.kubundle.api.store.ConflictException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyExistsException;
import io.kubundle.api.store.KeyNotFoundException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchListener;

/**
 * Just enough of a store for the API server's unit tests: a map with revisions (no watch; lists
 * only of the latest revision), and a concurrent writer that can strike just before a delete.
 */
final class MemoryStore implements Store {
    final TreeMap<String, KeyValue> entries = new TreeMap<>();
    long revision = 1;
    int writesBeforeNextDelete;
    int deleteAttempts;

    @Override
    public synchronized KeyValue create(String key, byte[] value) throws KeyExistsException {
        if (entries.containsKey(key)) {
            throw new KeyExistsException(key);
        }
        KeyValue created = new KeyValue(key, value, ++revision, revision);
        entries.put(key, created);
        return created;
    }

    @Override
    public synchronized Optional<KeyValue> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized KeyValue update(String key, byte[] value, long expected) throws ConflictException,
            KeyNotFoundException {
        KeyValue current = entries.get(key);
        if (current == null) {
            throw new KeyNotFoundException(key);
        }
        if (expected != 0 && current.modRevision() != expected) {
            throw new ConflictException(current, expected);
        }
        KeyValue updated = new KeyValue(key, value, current.createRevision(), ++revision);
        entries.put(key, updated);
        return updated;
    }

    @Override
    public synchronized Deleted delete(String key, long expected) throws ConflictException, KeyNotFoundException {
        deleteAttempts++;
        if (writesBeforeNextDelete > 0) {
            // the read the delete was based on is now stale, as when a controller wrote the status meanwhile
            writesBeforeNextDelete--;
            update(key, entries.get(key).value(), 0);
        }
        KeyValue current = entries.get(key);
        if (current == null) {
            throw new KeyNotFoundException(key);
        }
        if (expected != 0 && current.modRevision() != expected) {
            throw new ConflictException(current, expected);
        }
        entries.remove(key);
        return new Deleted(current, ++revision);
    }

    @Override
    public synchronized long currentRevision() {
        return revision;
    }

    @Override
    public long compactedRevision() {
        return 0;
    }

    @Override
    public synchronized ListResult list(String prefix, String startAfter, long atRevision, int limit) {
        List<KeyValue> items = new ArrayList<>();
        for (KeyValue entry : entries.tailMap(startAfter != null ? startAfter : prefix, startAfter == null).values()) {
            if (!entry.key().startsWith(prefix)) {
                break;
            }
            if (limit > 0 && items.size() == limit) {
                return new ListResult(items, revision, true);
            }
            items.add(entry);
        }
        return new ListResult(items, revision, false);
    }

    @Override
    public long count(String prefix) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void compact(long revision) {
        throw new UnsupportedOperationException();
    }
}
