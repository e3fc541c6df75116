package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubernetes.client.proto.Meta;
import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * The watch cache without a store: loaded with a list, fed with store events as the store's watch
 * would deliver them (the sync with a real store is covered by the system tests).
 */
class WatchCacheTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ResourceTypes types = ResourceTypes.builtIn();
    private final ResourceType configMaps = types.byResource("", "v1", "configmaps").orElseThrow();
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final Map<String, KeyValue> stored = new HashMap<>();
    private final Map<Recorder, CacheWatcher> watchers = new HashMap<>();
    private long revision = 10;
    private WatchCache cache;

    @AfterEach
    void stop() {
        if (cache != null) {
            cache.close();
        }
        loop.shutdownNow();
    }

    private WatchCache cache(int ringSize, int watcherBuffer) {
        return cache(ringSize, watcherBuffer, null);
    }

    private WatchCache cache(int ringSize, int watcherBuffer, Store store) {
        cache = new WatchCache(new ObjectStorage(json, () -> store), types, json, ringSize, watcherBuffer);
        cache.load(new ArrayList<>(stored.values()), revision);
        return cache;
    }

    private KeyValue value(String namespace, String name, String labels, long created, long modified) {
        String body = "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
                + namespace + "\",\"labels\":{" + labels + "}}}";
        return new KeyValue(configMaps.key(namespace, name), body.getBytes(StandardCharsets.UTF_8), created, modified);
    }

    /** A write as the store would make it: the next revision, and the event its watch would deliver. */
    private WatchEvent put(String namespace, String name, String labels) {
        revision++;
        String key = configMaps.key(namespace, name);
        KeyValue previous = stored.get(key);
        KeyValue current = value(namespace, name, labels, previous == null ? revision : previous.createRevision(), revision);
        stored.put(key, current);
        return new WatchEvent(previous == null ? WatchEvent.Type.CREATE : WatchEvent.Type.UPDATE, current, previous);
    }

    private WatchEvent delete(String namespace, String name) {
        revision++;
        String key = configMaps.key(namespace, name);
        KeyValue previous = stored.remove(key);
        return new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, new byte[0], 0, revision), previous);
    }

    private void write(WatchEvent... events) {
        cache.receive(List.of(events));
    }

    private static ListOptions options(String labels, String resourceVersion, int limit, String continueToken) throws ApiException {
        Map<String, String> query = new HashMap<>();
        if (labels != null) {
            query.put("labelSelector", labels);
        }
        if (resourceVersion != null) {
            query.put("resourceVersion", resourceVersion);
        }
        if (limit > 0) {
            query.put("limit", Integer.toString(limit));
        }
        if (continueToken != null) {
            query.put("continue", continueToken);
        }
        return ListOptions.from(query);
    }

    private static List<String> names(WatchCache.Page page) {
        return page.items().stream().map(item -> item.object.at("/metadata/name").asText() + "@" + item.revision).toList();
    }

    /** Collects a watch's lines; writes complete on another thread, as Netty completes them. */
    private final class Recorder implements EventSink {
        final List<String> lines = new ArrayList<>();
        final List<byte[]> raw = new ArrayList<>();
        volatile boolean ended;
        volatile boolean stalled;
        final List<Runnable> held = new ArrayList<>();

        @Override
        public void begin(String contentType) {
        }

        @Override
        public boolean write(byte[] line) {
            write(List.of(line), ok -> { });
            return true;
        }

        @Override
        public synchronized void write(List<byte[]> batch, Consumer<Boolean> done) {
            batch.forEach(line -> lines.add(new String(line, StandardCharsets.UTF_8).strip()));
            raw.addAll(batch);
            if (stalled) {
                held.add(() -> done.accept(true));
            } else {
                loop.execute(() -> done.accept(true));
            }
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void onClientGone(Runnable action) {
        }

        /** Lets the pending writes complete. */
        void drain() throws Exception {
            for (int i = 0; i < 20; i++) {
                // each completed write may start the next batch: let them run out
                loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            }
        }

        /** The events seen so far as TYPE name@resourceVersion (after the pending writes complete). */
        List<String> events() throws Exception {
            drain();
            List<String> events = new ArrayList<>();
            synchronized (this) {
                for (String line : lines) {
                    JsonNode event = json.readTree(line);
                    JsonNode object = event.path("object");
                    String name = event.path("type").asText().equals("ERROR") ? object.path("code").asText()
                            : object.at("/metadata/name").asText();
                    events.add(event.path("type").asText() + " " + name + "@" + object.at("/metadata/resourceVersion").asText());
                }
            }
            return events;
        }
    }

    private CacheWatcher watch(Recorder sink, String labels, String resourceVersion) throws ApiException {
        return watch(sink, labels, resourceVersion, WatchFormat.JSON);
    }

    private CacheWatcher watch(Recorder sink, String labels, String resourceVersion, WatchFormat format) throws ApiException {
        CacheWatcher watcher = cache.watch(configMaps, "a", options(labels, resourceVersion, 0, null), format, sink);
        watchers.put(sink, watcher);
        return watcher;
    }

    /** A store that only watches: the test delivers its history and closes it. */
    private static final class HistoryStore implements Store {
        String prefix;
        long after = -1;
        long compacted;
        WatchListener listener;
        volatile boolean closed;

        @Override
        public Watch watch(String prefix, long afterRevision, WatchListener listener) throws StoreException {
            if (afterRevision < compacted) {
                throw new CompactedException(afterRevision, compacted);
            }
            this.prefix = prefix;
            this.after = afterRevision;
            this.listener = listener;
            return () -> closed = true;
        }

        void deliver(WatchEvent... events) {
            // as a store's watch: its prefix only
            listener.onEvents(List.of(events).stream().filter(event -> event.current().key().startsWith(prefix)).toList());
        }

        @Override
        public long currentRevision() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long compactedRevision() {
            return compacted;
        }

        @Override
        public KeyValue create(String key, byte[] value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<KeyValue> get(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ListResult list(String prefix, String startAfter, long revision, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long count(String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyValue update(String key, byte[] value, long expectedModRevision) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Deleted delete(String key, long expectedModRevision) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void compact(long revision) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void listsFromTheCacheWithSelectorsNamespacesAndPages() throws Exception {
        put("a", "one", "\"app\":\"x\"");
        put("a", "two", "\"app\":\"y\"");
        put("a", "three", "\"app\":\"x\"");
        put("b", "four", "\"app\":\"x\"");
        cache(100, 100);
        assertEquals(List.of("one@11", "three@13", "two@12"), names(cache.list(configMaps, "a", options(null, "0", 0, null))));
        assertEquals(List.of("one@11", "three@13"), names(cache.list(configMaps, "a", options("app=x", "0", 0, null))));
        assertEquals(List.of("one@11", "three@13", "four@14"), names(cache.list(configMaps, null, options("app=x", "0", 0, null))));

        WatchCache.Page first = cache.list(configMaps, "a", options(null, "0", 2, null));
        assertEquals(List.of("one@11", "three@13"), names(first));
        assertEquals(14, first.revision());
        assertNotNull(first.continueToken());
        // the next page is read at the first page's revision, whatever happened since
        write(put("a", "two", "\"app\":\"z\""), put("a", "zzz", ""), delete("a", "one"));
        WatchCache.Page second = cache.list(configMaps, "a", options(null, "0", 2, first.continueToken()));
        assertEquals(List.of("two@12"), names(second));
        assertEquals(14, second.revision());
        assertNull(second.continueToken());
        assertEquals(List.of("three@13", "two@15", "zzz@16"), names(cache.list(configMaps, "a", options(null, "0", 0, null))));
        // an exact read at an older revision, within the ring
        assertEquals(List.of("one@11", "three@13", "two@12"),
                names(cache.list(configMaps, "a", ListOptions.from(Map.of("resourceVersion", "14", "resourceVersionMatch", "Exact")))));
    }

    @Test
    void aContinueTokenOlderThanTheRingIsLeftToTheStore() throws Exception {
        put("a", "one", "");
        put("a", "two", "");
        cache(2, 100);
        WatchCache.Page first = cache.list(configMaps, "a", options(null, "0", 1, null));
        write(put("a", "x", ""), put("a", "y", ""));
        assertNotNull(cache.list(configMaps, "a", options(null, "0", 1, first.continueToken())), "still in the ring");
        write(put("a", "z", ""));
        assertNull(cache.list(configMaps, "a", options(null, "0", 1, first.continueToken())), "the ring has moved on");
    }

    @Test
    void aListWithAResourceVersionWaitsUntilTheCacheHasIt() throws Exception {
        cache(100, 100);
        CompletableFuture<WatchCache.Page> list = CompletableFuture.supplyAsync(() -> {
            try {
                return cache.list(configMaps, "a", options(null, "11", 0, null));
            } catch (ApiException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(list.isDone(), "the cache is at 10, the list wants 11");
        write(put("a", "late", ""));
        assertEquals(List.of("late@11"), names(list.get(5, TimeUnit.SECONDS)));
        assertEquals(0, cache.awaitRevision(12, 100), "a revision the cache does not reach in time");
    }

    @Test
    void watchesReplayTheRingInOrderThenFollowLive() throws Exception {
        put("a", "one", "");
        cache(100, 100);
        write(put("a", "one", "\"v\":\"2\""), put("b", "other", ""), put("a", "two", ""));
        Recorder sink = new Recorder();
        watch(sink, null, "11");
        write(delete("a", "one"), put("a", "two", "\"v\":\"2\""));
        assertEquals(List.of("MODIFIED one@12", "ADDED two@14", "DELETED one@15", "MODIFIED two@16"), sink.events());

        Recorder initial = new Recorder();
        watch(initial, null, "0");
        write(put("a", "three", ""));
        assertEquals(List.of("ADDED two@16", "ADDED three@17"), initial.events());
    }

    @Test
    void aWatchFromBeforeTheRingGets410() throws Exception {
        cache(2, 100);
        write(put("a", "one", ""), put("a", "two", ""), put("a", "three", ""));
        // the ring holds the changes after 11 (12 and 13)
        Recorder gone = new Recorder();
        watch(gone, null, "10");
        assertEquals(List.of("ERROR 410@"), gone.events());
        assertTrue(gone.ended);
        Recorder fine = new Recorder();
        watch(fine, null, "11");
        assertEquals(List.of("ADDED two@12", "ADDED three@13"), fine.events());
        assertFalse(fine.ended);
    }

    @Test
    void aWatchFromBeforeTheRingReplaysTheStoresHistoryThenFollowsTheCache() throws Exception {
        HistoryStore store = new HistoryStore();
        cache(2, 100, store);
        WatchEvent one = put("a", "one", "");
        WatchEvent elsewhere = put("b", "other", "");
        WatchEvent two = put("a", "two", "");
        WatchEvent three = put("a", "three", "");
        write(one, elsewhere, two, three);
        // the ring holds 13 and 14: from 10 the store replays
        Recorder sink = new Recorder();
        watch(sink, null, "10");
        assertEquals(10, store.after);
        assertEquals(configMaps.listPrefix("a"), store.prefix);
        WatchEvent four = put("a", "four", "");
        write(four);
        assertEquals(List.of(), sink.events(), "the cache's changes wait for the history");
        store.deliver(one, elsewhere, two);
        store.deliver(three);
        assertEquals(List.of("ADDED one@11", "ADDED two@13", "ADDED three@14"), sink.events());
        cache.bookmark(watcherOf(sink));
        assertEquals(3, sink.events().size(), "no bookmark before the history is through");
        store.deliver(four);
        assertTrue(store.closed, "past the cache's revision, the store's watch ends");
        write(put("a", "five", ""));
        assertEquals(List.of("ADDED one@11", "ADDED two@13", "ADDED three@14", "ADDED four@15", "ADDED five@16"), sink.events(),
                "each change once, in order");
        assertFalse(sink.ended);
    }

    @Test
    void aWatchFromACompactedRevisionGets410() throws Exception {
        HistoryStore store = new HistoryStore();
        store.compacted = 12;
        cache(2, 100, store);
        write(put("a", "one", ""), put("a", "two", ""), put("a", "three", ""));
        Recorder gone = new Recorder();
        watch(gone, null, "10");
        assertEquals(List.of("ERROR 410@"), gone.events());
        assertTrue(gone.ended);
    }

    @Test
    void eachChangeIsEncodedOncePerFormatForAllItsWatchers() throws Exception {
        cache(100, 100);
        Recorder protobuf = new Recorder();
        Recorder protobufToo = new Recorder();
        Recorder table = new Recorder();
        Recorder tableToo = new Recorder();
        watch(protobuf, null, "10", WatchFormat.PROTOBUF);
        watch(protobufToo, null, "10", WatchFormat.PROTOBUF);
        watch(table, null, "10", WatchFormat.TABLE);
        write(put("a", "one", "\"app\":\"x\""));
        watch(tableToo, null, "11", WatchFormat.TABLE);
        write(put("a", "one", "\"app\":\"y\""));
        protobuf.drain();

        assertSame(protobuf.raw.get(0), protobufToo.raw.get(0), "one protobuf frame for both");
        ByteBuffer frame = ByteBuffer.wrap(protobuf.raw.get(1));
        Meta.WatchEvent event = Meta.WatchEvent.parseFrom(Arrays.copyOfRange(frame.array(), 4, frame.array().length));
        assertEquals(frame.getInt(), frame.remaining());
        assertEquals("MODIFIED", event.getType());
        ObjectNode object = ProtobufBodies.shared().decode(event.getObject().getRaw().toByteArray());
        assertEquals("y", object.at("/metadata/labels/app").asText());
        assertEquals("12", object.at("/metadata/resourceVersion").asText());

        // a table watch's first row carries the columns, the next ones not
        assertTrue(json.readTree(table.raw.get(0)).at("/object/columnDefinitions").size() > 0);
        assertTrue(json.readTree(table.raw.get(1)).at("/object/columnDefinitions").isMissingNode()
                || json.readTree(table.raw.get(1)).at("/object/columnDefinitions").isEmpty());
        assertTrue(json.readTree(tableToo.raw.get(0)).at("/object/columnDefinitions").size() > 0,
                "the second watch's first row has them");
        assertEquals("one", json.readTree(tableToo.raw.get(0)).at("/object/rows/0/object/metadata/name").asText());
    }

    @Test
    void aProtobufListFromTheCacheIsTheProtobufOfTheListTree() throws Exception {
        WatchCache.Page page = firstOfTwo();
        byte[] cached = ProtobufBodies.list("v1", "ConfigMapList", "12", page.continueToken(),
                page.items().stream().map(item -> item.protobufMessage().body()).toList());
        assertArrayEquals(ProtobufBodies.shared().encode(listTree(page)).body(), cached);
    }

    /** The first page (of one) of two config maps, from the cache. */
    private WatchCache.Page firstOfTwo() throws ApiException {
        put("a", "one", "\"app\":\"x\"");
        put("a", "two", "");
        cache(100, 100);
        return cache.list(configMaps, "a", options(null, "0", 1, null));
    }

    /** The list of a page as the store path builds it: its items without kind and apiVersion. */
    private ObjectNode listTree(WatchCache.Page page) {
        ObjectNode tree = json.createObjectNode();
        tree.put("kind", "ConfigMapList").put("apiVersion", "v1");
        tree.putObject("metadata").put("resourceVersion", Long.toString(page.revision())).put("continue", page.continueToken());
        ArrayNode items = tree.putArray("items");
        for (CachedObjects.Item item : page.items()) {
            ObjectNode copy = item.object.deepCopy();
            copy.remove("kind");
            copy.remove("apiVersion");
            items.add(copy);
        }
        return tree;
    }

    @Test
    void objectsEnteringAndLeavingTheSelectorAreAddedAndDeleted() throws Exception {
        cache(100, 100);
        Recorder sink = new Recorder();
        watch(sink, "app=x", "10");
        write(put("a", "p", "\"app\":\"y\""), put("a", "p", "\"app\":\"x\""), put("a", "p", "\"app\":\"x\",\"v\":\"2\""),
                put("a", "p", "\"app\":\"y\""), put("a", "p", "\"app\":\"x\""), delete("a", "p"), put("a", "q", ""), delete("a", "q"));
        assertEquals(List.of("ADDED p@12", "MODIFIED p@13", "DELETED p@14", "ADDED p@15", "DELETED p@16"), sink.events());
    }

    @Test
    void aSlowWatcherIsClosedWithoutHoldingUpTheOthers() throws Exception {
        cache(100, 3);
        Recorder slow = new Recorder();
        slow.stalled = true;
        Recorder fast = new Recorder();
        watch(slow, null, "10");
        watch(fast, null, "10");
        for (int i = 0; i < 6; i++) {
            write(put("a", "n" + i, ""));
            fast.events(); // the fast client keeps up
        }
        // the first event went out and is never acknowledged; three more fit the queue; the fifth closes the watch
        assertTrue(slow.ended, "the slow watcher is closed");
        assertEquals(List.of("ADDED n0@11"), slow.events());
        assertEquals(6, fast.events().size(), "the others get every event");
        assertFalse(fast.ended);
    }

    @Test
    void aReListExpiresTheWatchers() throws Exception {
        cache(100, 100);
        Recorder sink = new Recorder();
        watch(sink, null, "10");
        write(put("a", "one", ""));
        cache.load(new ArrayList<>(stored.values()), 20);
        assertEquals(List.of("ADDED one@11", "ERROR 410@"), sink.events());
        assertTrue(sink.ended);
    }

    private CacheWatcher watcherOf(Recorder sink) {
        return watchers.get(sink);
    }

    @Test
    void bookmarksCarryTheCachesRevision() throws Exception {
        cache(100, 100);
        Recorder sink = new Recorder();
        CacheWatcher watcher = watch(sink, null, "10");
        write(put("b", "elsewhere", ""));
        cache.bookmark(watcher);
        assertEquals(List.of("BOOKMARK @11"), sink.events());
    }

    @Test
    void aListFromTheCacheIsTheJsonOfTheListTree() throws Exception {
        WatchCache.Page page = firstOfTwo();
        ObjectNode tree = listTree(page);
        ObjectNode head = tree.deepCopy();
        head.remove("items");
        byte[] cached = CachedObjects.listJson(json, head, page.items().stream().map(item -> item.listJson(json)).toList());
        assertEquals(json.writeValueAsString(tree), new String(cached, StandardCharsets.UTF_8));
        assertEquals("x", page.items().get(0).object.at("/metadata/labels/app").asText(), "the cached object keeps its kind and labels");
        assertEquals("ConfigMap", page.items().get(0).object.path("kind").asText());
    }
}
