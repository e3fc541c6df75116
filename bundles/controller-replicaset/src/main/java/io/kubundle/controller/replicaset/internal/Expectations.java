package io.kubundle.controller.replicaset.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Kubernetes' ControllerExpectations (with uid tracking of deletions): what a controller has asked
 * the API server for and not yet seen in its informer cache. While a key has outstanding
 * expectations its cache is behind its own writes, and the controller must not create or delete
 * more pods for it (it would double them). Expectations older than {@link #TTL} are dropped, so
 * a lost watch event cannot block a key for ever. Thread-safe: workers set expectations, the
 * informer thread observes.
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private final LongSupplier nanoClock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        int adds;
        final Set<String> deletions = new HashSet<>();
        final long since;

        Entry(long since) {
            this.since = since;
        }
    }

    Expectations(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    Expectations() {
        this(System::nanoTime);
    }

    /** Whether the cache has caught up with the key's writes (or they expired, or there were none). */
    boolean satisfied(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return true;
        }
        synchronized (entry) {
            if (entry.adds <= 0 && entry.deletions.isEmpty()) {
                return true;
            }
            return nanoClock.getAsLong() - entry.since > TTL.toNanos();
        }
    }

    /** Replaces the key's expectations: {@code adds} pods to appear, the pods {@code deletions} to go. */
    void expect(String key, int adds, Set<String> deletions) {
        Entry entry = new Entry(nanoClock.getAsLong());
        entry.adds = adds;
        entry.deletions.addAll(deletions);
        entries.put(key, entry);
    }

    /** A pod the key created appeared (or a creation failed and will never appear). */
    void creationObserved(String key) {
        Entry entry = entries.get(key);
        if (entry != null) {
            synchronized (entry) {
                entry.adds--;
            }
        }
    }

    /** A pod the key deleted went (or is marked for deletion), or its deletion failed. */
    void deletionObserved(String key, String podKey) {
        Entry entry = entries.get(key);
        if (entry != null) {
            synchronized (entry) {
                entry.deletions.remove(podKey);
            }
        }
    }

    /** The key's object is gone. */
    void forget(String key) {
        entries.remove(key);
    }
}
