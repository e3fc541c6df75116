package io.kubundle.client.kube;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A local, always-current copy of one resource type, as client-go's shared informer keeps it:
 * it lists, then watches from the list's revision, keeps every object in memory, and tells its
 * handlers of each change. A watch that ends is resumed from the last revision seen; a revision
 * the server no longer has (410 Gone) or any failure to resume means a new list, whose
 * differences from the cache reach the handlers as adds, updates and deletes, so nothing is
 * missed. Reads ({@link #get}, {@link #list}, {@link #byIndex}) are safe from any thread.
 * Cached objects carry no {@code metadata.managedFields} (see {@link ResourceClient}): read
 * them with {@link ResourceClient#get} when you need them.
 */
public final class Informer<T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Informer.class.getName());
    private static final int PAGE_SIZE = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final ResourceClient<T> client;
    private final String namespace;
    private final ListOptions selectors;
    private final long resyncMillis;
    private final Map<String, Entry<T>> cache = new ConcurrentHashMap<>();
    private final List<ResourceHandler<T>> handlers = new CopyOnWriteArrayList<>();
    private final Map<String, Function<T, Collection<String>>> indexers = new ConcurrentHashMap<>();
    /** index name -> indexed value -> keys; changed on the informer thread under its own lock. */
    private final Map<String, Map<String, Set<String>>> indexes = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch synced = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile ResourceClient.Watch watch;
    private volatile String resourceVersion = "";
    private volatile long lists;
    private long watchNumber;

    private record Entry<T>(String resourceVersion, T object) {
    }

    /** The end of a watch, queued behind its events. */
    private record End(Exception failure) {
    }

    /** A watch's event or end, marked with the watch it came from: a closed watch's leftovers are dropped. */
    private record FromWatch(long watchNumber, Object item) {
    }

    /** Work handed to the informer thread (a handler joining), so that handlers see changes in order. */
    private record Task(Runnable action) {
    }

    /**
     * @param namespace the namespace to watch, or null for all
     * @param selectors label and field selectors to narrow the objects (other options are ignored)
     * @param resync how often handlers get every object again as an update (zero: never)
     */
    public Informer(ResourceClient<T> client, String namespace, ListOptions selectors, Duration resync) {
        this.client = client.withoutManagedFields();
        this.namespace = namespace;
        this.selectors = new ListOptions(selectors.labelSelector(), selectors.fieldSelector(), 0, null, null);
        this.resyncMillis = resync.toMillis();
        this.thread = new Thread(this::run, "informer-" + client.kind().plural());
        thread.setDaemon(true);
    }

    public Informer(ResourceClient<T> client, Duration resync) {
        this(client, null, ListOptions.ALL, resync);
    }

    /**
     * Adds a handler. One that joins after the first list first gets an add for every cached object.
     */
    public void addHandler(ResourceHandler<T> handler) {
        if (!thread.isAlive()) {
            handlers.add(handler);
            return;
        }
        inbox.add(new Task(() -> {
            for (Entry<T> entry : cache.values()) {
                call(() -> handler.onAdd(entry.object()));
            }
            handlers.add(handler);
        }));
    }

    /**
     * Adds an index: {@code function} gives the values an object is found under by
     * {@link #byIndex}. Add indexes before {@link #start()}.
     */
    public void addIndex(String name, Function<T, Collection<String>> function) {
        if (thread.isAlive()) {
            throw new IllegalStateException("add indexes before the informer starts");
        }
        indexers.put(name, function);
        indexes.put(name, new ConcurrentHashMap<>());
    }

    public void start() {
        thread.start();
    }

    /** True once the first list is in the cache. */
    public boolean hasSynced() {
        return synced.getCount() == 0;
    }

    /** Waits for the first list; false on timeout. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The object under a key ({@code namespace/name} or {@code name}). */
    public Optional<T> get(String key) {
        Entry<T> entry = cache.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.object());
    }

    public Optional<T> get(String namespace, String name) {
        return get(ObjectKey.of(namespace, name));
    }

    /** Every cached object. */
    public List<T> list() {
        return cache.values().stream().map(Entry::object).toList();
    }

    /** The cached objects of one namespace. */
    public List<T> list(String inNamespace) {
        String prefix = inNamespace + "/";
        List<T> result = new ArrayList<>();
        cache.forEach((key, entry) -> {
            if (key.startsWith(prefix)) {
                result.add(entry.object());
            }
        });
        return result;
    }

    /** The keys of the cache. */
    public Set<String> keys() {
        return Set.copyOf(cache.keySet());
    }

    /** The cached objects an index finds under a value. */
    public List<T> byIndex(String index, String value) {
        Map<String, Set<String>> byValue = indexes.get(index);
        if (byValue == null) {
            throw new IllegalArgumentException("no index " + index);
        }
        Set<String> keys = byValue.get(value);
        if (keys == null) {
            return List.of();
        }
        List<T> result = new ArrayList<>();
        for (String key : Set.copyOf(keys)) {
            Entry<T> entry = cache.get(key);
            if (entry != null) {
                result.add(entry.object());
            }
        }
        return result;
    }

    /** The revision the cache is at. */
    public String resourceVersion() {
        return resourceVersion;
    }

    /** How many times the informer has listed: 1 after the start, one more for each relist. */
    public long listCount() {
        return lists;
    }

    @Override
    public void close() {
        closed = true;
        ResourceClient.Watch current = watch;
        if (current != null) {
            current.close();
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = 0;
        boolean needList = true;
        long nextResync = System.currentTimeMillis() + resyncMillis;
        while (!closed) {
            try {
                if (backoff > 0) {
                    Thread.sleep(backoff);
                }
                if (needList) {
                    relist();
                    needList = false;
                }
                watchNumber++;
                watch = client.watch(namespace, selectors.withResourceVersion(resourceVersion),
                        ThreadLocalRandom.current().nextInt(300, 600), new Forwarder(watchNumber));
                backoff = 0;
                while (!closed) {
                    Object item = inbox.poll(resyncMillis > 0 ? Math.max(1, nextResync - System.currentTimeMillis()) : 60_000,
                            TimeUnit.MILLISECONDS);
                    if (item instanceof FromWatch from) {
                        item = from.watchNumber() == watchNumber ? from.item() : null;
                    }
                    if (resyncMillis > 0 && System.currentTimeMillis() >= nextResync) {
                        resync();
                        nextResync = System.currentTimeMillis() + resyncMillis;
                    }
                    if (item instanceof WatchEvent<?> event) {
                        @SuppressWarnings("unchecked")
                        WatchEvent<T> typed = (WatchEvent<T>) event;
                        apply(typed);
                    } else if (item instanceof Task task) {
                        task.action().run();
                    } else if (item instanceof End end) {
                        if (end.failure() instanceof ApiStatusException status && status.isGone()) {
                            needList = true;
                        } else if (end.failure() != null) {
                            LOG.log(System.Logger.Level.DEBUG, "watch of {0} broke: {1}", client.kind().plural(), end.failure());
                            backoff = nextBackoff(backoff);
                        }
                        break;
                    }
                }
            } catch (InterruptedException e) {
                if (!closed) {
                    Thread.currentThread().interrupt();
                }
                return;
            } catch (ApiStatusException e) {
                // the revision to resume from is gone, or the list or watch was refused: list again
                needList = true;
                if (!e.isGone()) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", client.kind().plural(), e.getMessage());
                    backoff = nextBackoff(backoff);
                }
            } catch (IOException | RuntimeException e) {
                // the server is away (restarting, being swapped): resume from the last revision when it is back
                LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", client.kind().plural(), e.toString());
                backoff = nextBackoff(backoff);
            } finally {
                ResourceClient.Watch current = watch;
                if (current != null) {
                    current.close();
                    watch = null;
                }
            }
        }
    }

    private static long nextBackoff(long backoff) {
        return Math.min(MAX_BACKOFF_MILLIS, backoff == 0 ? 100 : backoff * 2);
    }

    /** Lists everything and brings the cache (and the handlers) to that state. */
    private void relist() throws IOException, ApiStatusException {
        ObjectList<WatchEvent<T>> page = client.listEvents(namespace, selectors.withLimit(PAGE_SIZE));
        String revision = page.resourceVersion();
        Map<String, WatchEvent<T>> listed = new HashMap<>();
        while (true) {
            for (WatchEvent<T> item : page.items()) {
                listed.put(item.key(), item);
            }
            if (page.continueToken() == null) {
                break;
            }
            page = client.listEvents(namespace, selectors.withLimit(PAGE_SIZE).withContinue(page.continueToken()));
        }
        for (String key : new HashSet<>(cache.keySet())) {
            if (!listed.containsKey(key)) {
                Entry<T> gone = cache.remove(key);
                unindex(key, gone.object());
                notifyHandlers(handler -> handler.onDelete(gone.object()));
            }
        }
        for (WatchEvent<T> item : listed.values()) {
            Entry<T> old = cache.get(item.key());
            if (old == null || !old.resourceVersion().equals(item.resourceVersion())) {
                store(item);
                if (old == null) {
                    notifyHandlers(handler -> handler.onAdd(item.object()));
                } else {
                    notifyHandlers(handler -> handler.onUpdate(old.object(), item.object()));
                }
            }
        }
        resourceVersion = revision;
        lists++;
        synced.countDown();
    }

    private void apply(WatchEvent<T> event) {
        resourceVersion = event.resourceVersion();
        String key = event.key();
        switch (event.type()) {
            case WatchEvent.ADDED, WatchEvent.MODIFIED -> {
                Entry<T> old = cache.get(key);
                store(event);
                if (old == null) {
                    notifyHandlers(handler -> handler.onAdd(event.object()));
                } else {
                    notifyHandlers(handler -> handler.onUpdate(old.object(), event.object()));
                }
            }
            case WatchEvent.DELETED -> {
                Entry<T> old = cache.remove(key);
                if (old != null) {
                    unindex(key, old.object());
                }
                notifyHandlers(handler -> handler.onDelete(event.object()));
            }
            default -> {
                // a bookmark: only the revision moves
            }
        }
    }

    private void store(WatchEvent<T> event) {
        String key = event.key();
        Entry<T> old = cache.put(key, new Entry<>(event.resourceVersion(), event.object()));
        if (old != null) {
            unindex(key, old.object());
        }
        indexers.forEach((name, function) -> {
            for (String value : function.apply(event.object())) {
                indexes.get(name).computeIfAbsent(value, v -> ConcurrentHashMap.newKeySet()).add(key);
            }
        });
    }

    private void unindex(String key, T object) {
        indexers.forEach((name, function) -> {
            Map<String, Set<String>> byValue = indexes.get(name);
            for (String value : function.apply(object)) {
                Set<String> keys = byValue.get(value);
                if (keys != null) {
                    keys.remove(key);
                    if (keys.isEmpty()) {
                        byValue.remove(value, keys);
                    }
                }
            }
        });
    }

    private void resync() {
        for (Entry<T> entry : cache.values()) {
            notifyHandlers(handler -> handler.onUpdate(entry.object(), entry.object()));
        }
    }

    private void notifyHandlers(java.util.function.Consumer<ResourceHandler<T>> call) {
        for (ResourceHandler<T> handler : handlers) {
            call(() -> call.accept(handler));
        }
    }

    /** A failing handler must not stop the informer or the others. */
    private void call(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a handler of " + client.kind().plural() + " failed", e);
        }
    }

    /** Moves the watch's events to the informer thread, in order. */
    private final class Forwarder implements WatchHandler<T> {
        private final long number;

        Forwarder(long number) {
            this.number = number;
        }

        @Override
        public void onEvent(WatchEvent<T> event) {
            inbox.add(new FromWatch(number, event));
        }

        @Override
        public void onClose(Exception failure) {
            inbox.add(new FromWatch(number, new End(failure)));
        }
    }
}
