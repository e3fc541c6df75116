package io.kubundle.apiserver.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;
import io.kubundle.apiserver.internal.CachedObjects.Change;
import io.kubundle.apiserver.internal.CachedObjects.Item;

/**
 * The API server's watch cache, as kube-apiserver's cacher: every object of every served type,
 * decoded once, plus a bounded ring of each type's recent changes, fed by one store watch, so
 * lists and watches do not read the store and a change is filtered and encoded once for all its
 * watchers.
 *
 * <p>One watch on {@code /registry/} rather than one per type: the store has no progress
 * notification, so only a watch that sees every key can tell that the cache has caught up with
 * the store's current revision, which is what a consistent list ({@code resourceVersion=""})
 * waits for. Each type still has its own objects, ring and watchers.
 *
 * <p>A sync thread lists and (re)starts the store watch: at start, when the store watch ends
 * (the store left, was swapped, or this cache fell behind) and when the store service changes.
 * If the new store still holds what the cache holds at its revision, the watch simply continues
 * from there and watchers notice nothing; otherwise the cache is re-listed and every watcher gets
 * 410 Expired, since the changes in between are unknown.
 *
 * <p>Locking: one lock guards the objects, rings, watcher lists and revisions. Store events are
 * applied under it in revision order, and watchers are offered changes under it (they never
 * block). Lists copy what they need under it.
 */
final class WatchCache implements AutoCloseable {
    static final String ROOT = "/registry/";
    private static final long CONSISTENT_READ_WAIT_MS = 3000;

    /** One type's objects, recent changes and watchers. */
    private static final class TypeState {
        final ResourceType type;
        final TreeMap<String, Item> items = new TreeMap<>();
        final ArrayDeque<Change> ring = new ArrayDeque<>();
        /** The ring holds every change of this type with a revision above this one. */
        long ringFrom;
        final List<CacheWatcher> watchers = new CopyOnWriteArrayList<>();

        TypeState(ResourceType type) {
            this.type = type;
        }
    }

    /** A page served from the cache: the items, the revision they are at and the next page's token. */
    record Page(List<Item> items, long revision, String continueToken) {
    }

    private final ObjectStorage storage;
    private final WatchEventCache storeEvents;
    private final ObjectMapper json;
    private final int ringSize;
    private final int watcherBuffer;
    private final Map<String, TypeState> byPrefix = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private final Condition syncWanted = lock.newCondition();

    // guarded by lock
    private long revision;
    private boolean ready;
    private boolean initialized;
    private boolean syncNeeded = true;
    private boolean closed;
    private int generation;
    private Store watchedStore;
    private Watch storeWatch;
    private Thread syncThread;

    WatchCache(ObjectStorage storage, ResourceTypes types, ObjectMapper json, int ringSize, int watcherBuffer) {
        this.storage = storage;
        this.storeEvents = new WatchEventCache(storage);
        this.json = json;
        this.ringSize = Math.max(1, ringSize);
        this.watcherBuffer = Math.max(1, watcherBuffer);
        for (ResourceType type : types.all()) {
            byPrefix.putIfAbsent(type.keyPrefix(), new TypeState(type));
        }
    }

    // ------------------------------------------------------------------ feeding

    /** Starts the sync thread, which lists the store and watches it. */
    void start() {
        locked(() -> {
            syncThread = new Thread(this::syncLoop, "kubundle-api-watchcache");
            syncThread.setDaemon(true);
            syncThread.start();
        });
    }

    @Override
    public void close() {
        List<CacheWatcher> watchers = new ArrayList<>();
        Watch watch;
        Thread thread;
        lock.lock();
        try {
            closed = true;
            ready = false;
            watch = storeWatch;
            storeWatch = null;
            generation++;
            thread = syncThread;
            byPrefix.values().forEach(state -> watchers.addAll(state.watchers));
            syncWanted.signalAll();
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
        if (watch != null) {
            watch.close();
        }
        watchers.forEach(watcher -> watcher.close(null));
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Asks the sync thread to check the store: called when the store service may have changed. */
    void checkStore() {
        Store current = storage.currentStore();
        locked(() -> {
            if (current != watchedStore) {
                resyncSoon();
            }
        });
    }

    /** Stops serving until the sync thread has synced with the store again (under the lock). */
    private void resyncSoon() {
        ready = false;
        syncNeeded = true;
        syncWanted.signalAll();
    }

    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    private void syncLoop() {
        while (true) {
            lock.lock();
            try {
                while (!closed && !syncNeeded) {
                    syncWanted.await(1, TimeUnit.SECONDS);
                    if (storage.currentStore() != watchedStore) {
                        resyncSoon();
                    }
                }
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Store store = storage.currentStore();
            try {
                if (store != null) {
                    sync(store);
                    continue;
                }
            } catch (StoreException | RuntimeException e) {
                System.err.println("kubundle apiserver: watch cache sync failed, retrying: " + e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Continues from the cache's revision on {@code store} if it can, else re-lists. */
    void sync(Store store) throws StoreException {
        Watch old;
        long from;
        boolean continuing;
        lock.lock();
        try {
            old = storeWatch;
            storeWatch = null;
            generation++;
            ready = false;
            from = revision;
            continuing = initialized;
        } finally {
            lock.unlock();
        }
        if (old != null) {
            old.close();
        }
        if (continuing && holdsSameState(store, from)) {
            startWatch(store, from);
        } else {
            relist(store);
        }
    }

    /** Whether {@code store} at {@code at} has exactly the keys and mod revisions the cache holds. */
    private boolean holdsSameState(Store store, long at) throws StoreException {
        if (at == 0) {
            return true;
        }
        if (store.currentRevision() < at) {
            return false;
        }
        Map<String, Long> stored = new HashMap<>();
        try {
            for (KeyValue kv : store.list(ROOT, null, at, 0).items()) {
                if (stateOf(kv.key()) != null) {
                    stored.put(kv.key(), kv.modRevision());
                }
            }
        } catch (CompactedException e) {
            return false;
        }
        lock.lock();
        try {
            int cached = 0;
            for (TypeState state : byPrefix.values()) {
                for (Item item : state.items.values()) {
                    cached++;
                    Long mod = stored.get(item.key);
                    if (mod == null || mod != item.revision) {
                        return false;
                    }
                }
            }
            return cached == stored.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lists everything and starts watching after it. The first time, the list is taken up to
     * {@code ringSize} revisions back, so the ring starts with the recent history and clients
     * holding a recent resourceVersion can watch from it.
     */
    private void relist(Store store) throws StoreException {
        long current = store.currentRevision();
        boolean first = !locked(() -> initialized);
        long at = current;
        if (first && current > 0) {
            at = Math.min(current, Math.max(store.compactedRevision() + 1, current - ringSize));
        }
        ListResult listed;
        try {
            listed = store.list(ROOT, null, at, 0);
        } catch (CompactedException e) {
            listed = store.list(ROOT, null, current, 0);
        }
        replace(listed.items(), listed.revision());
        startWatch(store, listed.revision());
    }

    /**
     * Replaces every object with {@code items}, listed at {@code at}, and empties the rings; the
     * watchers' positions cannot be served any more, so each gets 410 Expired.
     */
    private void replace(List<KeyValue> items, long at) {
        Map<TypeState, List<Item>> decoded = new HashMap<>();
        for (KeyValue kv : items) {
            TypeState state = stateOf(kv.key());
            Item item = state == null ? null : decode(kv);
            if (item != null) {
                decoded.computeIfAbsent(state, s -> new ArrayList<>()).add(item);
            }
        }
        List<CacheWatcher> expired = new ArrayList<>();
        lock.lock();
        try {
            for (TypeState state : byPrefix.values()) {
                state.items.clear();
                state.ring.clear();
                state.ringFrom = at;
                for (Item item : decoded.getOrDefault(state, List.of())) {
                    state.items.put(item.key, item);
                }
                expired.addAll(state.watchers);
            }
            revision = at;
            initialized = true;
        } finally {
            lock.unlock();
        }
        for (CacheWatcher watcher : expired) {
            watcher.fail(ApiException.gone("too old resource version: the watch cache was re-listed from the store"));
        }
    }

    /**
     * Loads the cache without watching the store and marks it ready (tests feed it with
     * {@link #receive}; the store, if any, serves replays only).
     */
    void load(List<KeyValue> items, long at) {
        replace(items, at);
        Store store = storage.currentStore();
        locked(() -> {
            watchedStore = store;
            ready = true;
            syncNeeded = false;
        });
    }

    private void startWatch(Store store, long from) throws StoreException {
        int gen = locked(() -> ++generation);
        Watch watch;
        try {
            watch = store.watch(ROOT, from, new Listener(gen));
        } catch (CompactedException e) {
            relistNext();
            return;
        }
        lock.lock();
        try {
            if (gen != generation || closed) {
                watch.close();
                return;
            }
            storeWatch = watch;
            watchedStore = store;
            syncNeeded = false;
            ready = true;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next sync starts over from a list (the cache's revision is gone from the store). */
    private void relistNext() {
        locked(() -> {
            initialized = false;
            resyncSoon();
        });
    }

    /** Receives one store watch's events; ignored once a newer watch has replaced it. */
    private final class Listener implements WatchListener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onEvents(List<WatchEvent> events) {
            receive(events, gen);
        }

        @Override
        public void onClose(Throwable cause) {
            lock.lock();
            try {
                if (gen == generation && !closed) {
                    storeWatch = null;
                    resyncSoon();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Applies store events in revision order (tests call it directly). */
    void receive(List<WatchEvent> events) {
        receive(events, -1);
    }

    private void receive(List<WatchEvent> events, int gen) {
        // decoding needs no lock
        List<Item> decoded = new ArrayList<>(events.size());
        for (WatchEvent event : events) {
            boolean cached = event.type() != WatchEvent.Type.DELETE && stateOf(event.current().key()) != null;
            decoded.add(cached ? decode(event.current()) : null);
        }
        lock.lock();
        try {
            if (gen >= 0 && gen != generation) {
                return;
            }
            for (int i = 0; i < events.size(); i++) {
                apply(events.get(i), decoded.get(i));
            }
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Applies one store event (under the lock): the objects, the ring, the watchers. */
    private void apply(WatchEvent event, Item decodedCurrent) {
        long rev = event.revision();
        if (rev <= revision) {
            return;
        }
        revision = rev;
        String key = event.current().key();
        TypeState state = stateOf(key);
        if (state == null) {
            return;
        }
        Item previous = state.items.get(key);
        if (previous == null && event.previous() != null) {
            previous = decode(event.previous());
        }
        Item current = event.type() == WatchEvent.Type.DELETE ? null : decodedCurrent;
        if (current == null) {
            state.items.remove(key);
        } else {
            state.items.put(key, current);
        }
        if (current == null && previous == null) {
            return;
        }
        Change change = new Change(rev, key, current, previous);
        state.ring.addLast(change);
        while (state.ring.size() > ringSize) {
            state.ringFrom = state.ring.removeFirst().revision;
        }
        for (CacheWatcher watcher : state.watchers) {
            watcher.offer(change);
        }
    }

    /** Decodes a stored object; one that is not valid JSON is left out (and logged). */
    private Item decode(KeyValue kv) {
        try {
            return Item.decode(storage, kv);
        } catch (ApiException e) {
            System.err.println("kubundle apiserver: watch cache skips " + kv.key() + ": " + e.getMessage());
            return null;
        }
    }

    private TypeState stateOf(String key) {
        if (!key.startsWith(ROOT)) {
            return null;
        }
        int group = key.indexOf('/', ROOT.length());
        int plural = group < 0 ? -1 : key.indexOf('/', group + 1);
        return plural < 0 ? null : byPrefix.get(key.substring(0, plural + 1));
    }

    // ------------------------------------------------------------------ reading

    /**
     * A list from the cache, or null when the cache cannot answer it (not ready, an exact
     * revision or continue token older than the ring, a consistent read it could not catch up
     * with in time): the caller then reads the store, as Kubernetes does.
     */
    Page list(ResourceType type, String namespace, ListOptions options) throws ApiException {
        long at;
        boolean latest = false;
        String startAfter = null;
        if (options.continueToken() != null) {
            ListOptions.Continue token = ListOptions.Continue.decode(options.continueToken());
            at = token.revision();
            startAfter = token.startAfter();
        } else if ("Exact".equals(options.resourceVersionMatch())) {
            at = ListOptions.revision(options.resourceVersion());
        } else {
            at = freshRevision(options.resourceVersion());
            latest = true;
        }
        if (at <= 0) {
            return null;
        }
        TypeState state = byPrefix.get(type.keyPrefix());
        String prefix = type.listPrefix(namespace);
        lock.lock();
        try {
            if (latest && ready) {
                at = Math.max(at, revision);
            }
            if (!ready || at > revision || at < state.ringFrom) {
                return null;
            }
            NavigableMap<String, Item> range = state.items.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
            String after = startAfter;
            if (after != null) {
                range = range.tailMap(after, false);
            }
            range = atRevision(state, range, at, key -> key.startsWith(prefix) && (after == null || key.compareTo(after) > 0));
            List<Item> page = new ArrayList<>();
            int limit = options.limit();
            Iterator<Item> items = range.values().iterator();
            while (items.hasNext()) {
                Item item = items.next();
                if (item.matches(options)) {
                    page.add(item);
                    if (limit > 0 && page.size() == limit) {
                        String next = items.hasNext() ? new ListOptions.Continue(at, item.key).encode() : null;
                        return new Page(page, at, next);
                    }
                }
            }
            return new Page(page, at, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The objects of {@code range} as they were at {@code at} (under the lock): the current ones,
     * except the keys changed since, which get the value before their first change after
     * {@code at}. Needs {@code at >= ringFrom}.
     */
    private static NavigableMap<String, Item> atRevision(TypeState state, NavigableMap<String, Item> range, long at,
            Predicate<String> inRange) {
        Map<String, Item> before = new HashMap<>();
        Iterator<Change> newestFirst = state.ring.descendingIterator();
        while (newestFirst.hasNext()) {
            Change change = newestFirst.next();
            if (change.revision <= at) {
                break;
            }
            before.put(change.key, change.previous);
        }
        if (before.isEmpty()) {
            return range;
        }
        TreeMap<String, Item> then = new TreeMap<>(range);
        for (Map.Entry<String, Item> entry : before.entrySet()) {
            String key = entry.getKey();
            if (!inRange.test(key)) {
                continue;
            }
            if (entry.getValue() == null) {
                then.remove(key);
            } else {
                then.put(key, entry.getValue());
            }
        }
        return then;
    }

    /**
     * The revision a list or watch without an exact revision reads at, once the cache has it:
     * {@code "0"} any (the cache's), {@code ""} the store's current revision (a consistent read),
     * else at least the one given. 0 when the cache cannot catch up in time.
     */
    private long freshRevision(String resourceVersion) throws ApiException {
        long wanted;
        if ("0".equals(resourceVersion)) {
            wanted = 0;
        } else if (resourceVersion == null || resourceVersion.isEmpty()) {
            Store store = storage.store();
            if (store != watchedStore()) {
                checkStore();
                return 0;
            }
            try {
                wanted = store.currentRevision();
            } catch (StoreException e) {
                throw ObjectStorage.storeFailure(e);
            }
        } else {
            wanted = ListOptions.revision(resourceVersion);
        }
        return awaitRevision(wanted, CONSISTENT_READ_WAIT_MS);
    }

    /** Waits until the cache is ready and at {@code wanted} or later; returns its revision, or 0 on time-out. */
    long awaitRevision(long wanted, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!closed && (!ready || revision < wanted)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                progressed.awaitNanos(left);
            }
            return closed ? 0 : revision;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    private Store watchedStore() {
        return locked(() -> watchedStore);
    }

    /**
     * Starts a watch from the cache: initial ADDED events from the cache's objects (no
     * resourceVersion, or "0"), or the ring's changes after the revision given, then changes as
     * they come. A revision older than the ring is replayed from the store's history, up to the
     * cache's revision, if the store still has it (Kubernetes answers 410 Expired there; a client
     * that resumes rather than relists is cheaper for both), else 410 Expired. Returns null when
     * the cache cannot serve it (not ready): the caller watches the store instead.
     */
    CacheWatcher watch(ResourceType type, String namespace, ListOptions options, WatchFormat format, EventSink sink)
            throws ApiException {
        String resourceVersion = options.resourceVersion();
        boolean initialEvents = resourceVersion == null || resourceVersion.isEmpty() || "0".equals(resourceVersion);
        long from = initialEvents ? freshRevision(resourceVersion) : ListOptions.revision(resourceVersion);
        if (from <= 0) {
            return null;
        }
        TypeState state = byPrefix.get(type.keyPrefix());
        CacheWatcher watcher;
        Store replayFrom = null;
        lock.lock();
        try {
            if (!ready) {
                return null;
            }
            sink.begin(format.contentType());
            if (initialEvents) {
                from = revision;
            }
            watcher = new CacheWatcher(type, namespace, options, format, json, sink, watcherBuffer, from,
                    w -> state.watchers.remove(w));
            if (initialEvents) {
                String prefix = type.listPrefix(namespace);
                for (Item item : state.items.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
                    watcher.added(item);
                }
            } else if (from < state.ringFrom && watchedStore == null) {
                watcher.fail(gone(from, state.ringFrom));
            } else if (from < state.ringFrom) {
                // older than the ring: the store's history up to now first, the cache's changes after
                watcher.replayUntil(revision);
                replayFrom = watchedStore;
            } else {
                for (Change change : state.ring) {
                    watcher.offer(change);
                }
            }
            if (!watcher.closed()) {
                state.watchers.add(watcher);
            }
        } finally {
            lock.unlock();
        }
        if (replayFrom != null) {
            replay(watcher, replayFrom, from);
        }
        return watcher;
    }

    /** Sends {@code watcher} the store's history after {@code from}, then what the cache held back meanwhile. */
    private void replay(CacheWatcher watcher, Store store, long from) {
        AtomicReference<Watch> source = new AtomicReference<>();
        WatchListener history = new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                for (WatchEvent event : events) {
                    try {
                        watcher.replayed(storeEvents.change(event));
                    } catch (ApiException e) {
                        System.err.println("kubundle apiserver: watch replay skips " + event.current().key() + ": " + e.getMessage());
                    }
                }
                if (!watcher.replaying()) {
                    closeIfSet(source);
                }
            }

            @Override
            public void onClose(Throwable cause) {
                if (!watcher.replaying()) {
                    return;
                }
                if (cause instanceof CompactedException compacted) {
                    watcher.fail(gone(from, compacted.compactedRevision()));
                } else {
                    // the client watches again from the last revision it saw
                    watcher.close(null);
                }
            }
        };
        try {
            Watch watch = store.watch(watcher.prefix(), from, history);
            source.set(watch);
            watcher.onEnd(watch::close);
            if (!watcher.replaying()) {
                watch.close();
            }
        } catch (CompactedException e) {
            watcher.fail(gone(from, e.compactedRevision()));
        } catch (StoreException e) {
            watcher.fail(ObjectStorage.storeFailure(e));
        }
    }

    private static void closeIfSet(AtomicReference<Watch> watch) {
        Watch set = watch.get();
        if (set != null) {
            set.close();
        }
    }

    private static ApiException gone(long from, long compacted) {
        return ApiException.gone("too old resource version: " + from + " (" + compacted + ")");
    }

    /** The store events the cache decoded, for watches that read the store themselves. */
    WatchEventCache storeEvents() {
        return storeEvents;
    }

    /** A bookmark for {@code watcher} at the cache's revision: every change up to it has been offered. */
    void bookmark(CacheWatcher watcher) {
        locked(() -> {
            if (ready) {
                watcher.bookmark(revision);
            }
        });
    }

    /** The cache's revision (for tests and diagnostics). */
    long revision() {
        return locked(() -> revision);
    }
}
