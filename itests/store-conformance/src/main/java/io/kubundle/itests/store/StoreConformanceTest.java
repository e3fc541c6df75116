package io.kubundle.itests.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.ConflictException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyExistsException;
import io.kubundle.api.store.KeyNotFoundException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * The contract of {@link Store}, clause by clause. A backend's test extends this class and says how
 * to open and close its store; every test starts from an empty store in a fresh directory.
 */
public abstract class StoreConformanceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    protected Path dir;
    protected Store store;

    /** The backend under test. */
    protected abstract StoreFactory factory();

    @BeforeEach
    void openStore() throws Exception {
        store = factory().open(dir.resolve("store"));
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            factory().close(store);
        }
    }

    // ---- create, get, update, delete

    @Test
    void anEmptyStoreHasRevisionZeroAndNoKeys() throws Exception {
        assertEquals(0, store.currentRevision());
        assertEquals(0, store.compactedRevision());
        assertEquals(Optional.empty(), store.get("/a"));
        ListResult all = store.list("", null, 0, 0);
        assertEquals(List.of(), all.items());
        assertFalse(all.more());
        assertEquals(0, store.count(""));
    }

    @Test
    void createReturnsTheEntryAtANewRevisionAndGetSeesIt() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        assertEntry("/a", "one", created);
        assertTrue(created.modRevision() > 0);
        assertEquals(created.modRevision(), created.createRevision());
        assertEquals(created.modRevision(), store.currentRevision());
        assertEntry(created, store.get("/a").orElseThrow());
    }

    @Test
    void createOfAnExistingKeyThrowsKeyExistsAndChangesNothing() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        assertThrows(KeyExistsException.class, () -> store.create("/a", bytes("two")));
        assertEquals(created.modRevision(), store.currentRevision());
        assertEntry(created, store.get("/a").orElseThrow());
    }

    @Test
    void createAfterDeleteStartsANewLifeOfTheKey() throws Exception {
        store.create("/a", bytes("one"));
        store.delete("/a", 0);
        KeyValue again = store.create("/a", bytes("two"));
        assertEquals(again.modRevision(), again.createRevision());
        assertEntry(again, store.get("/a").orElseThrow());
    }

    @Test
    void updateReplacesTheValueAndKeepsTheCreateRevision() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        KeyValue updated = store.update("/a", bytes("two"), created.modRevision());
        assertEntry("/a", "two", updated);
        assertEquals(created.createRevision(), updated.createRevision());
        assertTrue(updated.modRevision() > created.modRevision());
        assertEquals(updated.modRevision(), store.currentRevision());
        assertEntry(updated, store.get("/a").orElseThrow());
    }

    @Test
    void updateOfAMissingOrDeletedKeyThrowsKeyNotFound() throws Exception {
        assertThrows(KeyNotFoundException.class, () -> store.update("/a", bytes("x"), 1));
        KeyValue created = store.create("/a", bytes("one"));
        Deleted deleted = store.delete("/a", 0);
        assertThrows(KeyNotFoundException.class, () -> store.update("/a", bytes("x"), created.modRevision()));
        assertThrows(KeyNotFoundException.class, () -> store.update("/a", bytes("x"), deleted.revision()));
        assertEquals(deleted.revision(), store.currentRevision());
        assertEquals(Optional.empty(), store.get("/a"));
    }

    @Test
    void updateWithAStaleRevisionThrowsConflictCarryingTheCurrentEntry() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        KeyValue updated = store.update("/a", bytes("two"), created.modRevision());
        ConflictException conflict = assertThrows(ConflictException.class,
                () -> store.update("/a", bytes("three"), created.modRevision()));
        assertEntry(updated, conflict.current());
        assertEquals(updated.modRevision(), store.currentRevision());
        assertEntry(updated, store.get("/a").orElseThrow());
    }

    @Test
    void deleteReturnsThePreviousEntryAndTheDeletionRevision() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        store.create("/b", bytes("other"));
        Deleted deleted = store.delete("/a", created.modRevision());
        assertEntry(created, deleted.previous());
        assertTrue(deleted.revision() > created.modRevision());
        assertEquals(deleted.revision(), store.currentRevision());
        assertEquals(Optional.empty(), store.get("/a"));
        assertTrue(store.get("/b").isPresent());
    }

    @Test
    void deleteWithZeroDeletesWhateverTheModRevision() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        KeyValue updated = store.update("/a", bytes("two"), created.modRevision());
        Deleted deleted = store.delete("/a", 0);
        assertEntry(updated, deleted.previous());
        assertEquals(Optional.empty(), store.get("/a"));
    }

    @Test
    void deleteOfAMissingKeyThrowsKeyNotFound() throws Exception {
        assertThrows(KeyNotFoundException.class, () -> store.delete("/a", 0));
        store.create("/a", bytes("one"));
        Deleted deleted = store.delete("/a", 0);
        assertThrows(KeyNotFoundException.class, () -> store.delete("/a", 0));
        assertEquals(deleted.revision(), store.currentRevision());
    }

    @Test
    void deleteWithAStaleRevisionThrowsConflictAndKeepsTheKey() throws Exception {
        KeyValue created = store.create("/a", bytes("one"));
        KeyValue updated = store.update("/a", bytes("two"), created.modRevision());
        ConflictException conflict = assertThrows(ConflictException.class,
                () -> store.delete("/a", created.modRevision()));
        assertEntry(updated, conflict.current());
        assertEquals(updated.modRevision(), store.currentRevision());
        assertEntry(updated, store.get("/a").orElseThrow());
    }

    @Test
    void everyWriteTakesANewGreaterRevisionAndFailedWritesTakeNone() throws Exception {
        List<Long> revisions = new ArrayList<>();
        revisions.add(store.create("/a", bytes("1")).modRevision());
        revisions.add(store.create("/b", bytes("1")).modRevision());
        revisions.add(store.update("/a", bytes("2"), revisions.get(0)).modRevision());
        revisions.add(store.delete("/b", 0).revision());
        revisions.add(store.create("/b", bytes("2")).modRevision());
        for (int i = 1; i < revisions.size(); i++) {
            assertTrue(revisions.get(i) > revisions.get(i - 1), revisions.toString());
        }
        long before = store.currentRevision();
        assertEquals(revisions.get(revisions.size() - 1), before);
        assertThrows(KeyExistsException.class, () -> store.create("/a", bytes("x")));
        assertThrows(ConflictException.class, () -> store.update("/a", bytes("x"), 1));
        assertThrows(KeyNotFoundException.class, () -> store.delete("/nothing", 0));
        assertEquals(before, store.currentRevision());
        assertTrue(store.create("/c", bytes("1")).modRevision() > before);
    }

    @Test
    void keysAreNonEmptyWithoutNul() throws Exception {
        for (String bad : new String[] {"", "/a\0b"}) {
            Exception e = assertThrows(Exception.class, () -> store.create(bad, bytes("x")), "key " + bad);
            assertTrue(e instanceof IllegalArgumentException || e instanceof StoreException, e.toString());
        }
        assertEquals(0, store.currentRevision());
        KeyValue unicode = store.create("/ns/ключ/é€𝄞", bytes("x"));
        assertEntry(unicode, store.get("/ns/ключ/é€𝄞").orElseThrow());
        assertEquals(List.of("/ns/ключ/é€𝄞"), keys(store.list("/ns/ключ/", null, 0, 0)));
    }

    @Test
    void valuesAreOpaqueBytes() throws Exception {
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        store.create("/bytes", every);
        store.create("/empty", new byte[0]);
        byte[] big = new byte[1 << 20];
        big[big.length - 1] = 7;
        store.create("/big", big);
        assertArrayEquals(every, store.get("/bytes").orElseThrow().value());
        assertArrayEquals(new byte[0], store.get("/empty").orElseThrow().value());
        assertArrayEquals(big, store.get("/big").orElseThrow().value());
    }

    // ---- list and count

    @Test
    void listReturnsTheKeysWithThePrefixInKeyOrder() throws Exception {
        for (String key : List.of("/r/b", "/r/a/x", "/r/c", "/ra", "/q", "/r/a")) {
            store.create(key, bytes(key));
        }
        store.create("/r/d", bytes("gone"));
        store.delete("/r/d", 0);
        ListResult result = store.list("/r/", null, 0, 0);
        assertEquals(List.of("/r/a", "/r/a/x", "/r/b", "/r/c"), keys(result));
        assertFalse(result.more());
        assertEquals(store.currentRevision(), result.revision());
        for (KeyValue item : result.items()) {
            assertEntry(store.get(item.key()).orElseThrow(), item);
        }
        assertEquals(List.of("/r/a", "/r/a/x"), keys(store.list("/r/a", null, 0, 0)));
        assertEquals(List.of("/q", "/r/a", "/r/a/x", "/r/b", "/r/c", "/ra"), keys(store.list("/", null, 0, 0)));
        assertEquals(List.of(), keys(store.list("/s", null, 0, 0)));
    }

    @Test
    void listPagesWithLimitAndStartAfter() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.create("/p/" + i, bytes("v" + i));
        }
        store.create("/pz", bytes("outside"));
        ListResult first = store.list("/p/", null, 0, 4);
        assertEquals(List.of("/p/0", "/p/1", "/p/2", "/p/3"), keys(first));
        assertTrue(first.more());
        ListResult second = store.list("/p/", "/p/3", first.revision(), 4);
        assertEquals(List.of("/p/4", "/p/5", "/p/6", "/p/7"), keys(second));
        assertTrue(second.more());
        ListResult third = store.list("/p/", "/p/7", first.revision(), 4);
        assertEquals(List.of("/p/8", "/p/9"), keys(third));
        assertFalse(third.more());
        ListResult exact = store.list("/p/", "/p/5", first.revision(), 4);
        assertEquals(List.of("/p/6", "/p/7", "/p/8", "/p/9"), keys(exact));
        assertFalse(exact.more());
        // startAfter before the prefix starts at the first key; a key that is not there still orders
        assertEquals(List.of("/p/0", "/p/1"), keys(store.list("/p/", "/a", 0, 2)));
        assertEquals(List.of("/p/4"), keys(store.list("/p/", "/p/35", 0, 1)));
        assertEquals(10, store.list("/p/", null, 0, 0).items().size());
    }

    @Test
    void listPagesAtTheRevisionOfTheFirstPage() throws Exception {
        for (int i = 0; i < 6; i++) {
            store.create("/p/" + i, bytes("v" + i));
        }
        ListResult first = store.list("/p/", null, 0, 3);
        store.delete("/p/4", 0);
        store.update("/p/5", bytes("changed"), store.get("/p/5").orElseThrow().modRevision());
        store.create("/p/6", bytes("new"));
        ListResult rest = store.list("/p/", "/p/2", first.revision(), 0);
        assertEquals(first.revision(), rest.revision());
        assertEquals(List.of("/p/3", "/p/4", "/p/5"), keys(rest));
        assertEquals("v5", string(rest.items().get(2).value()));
        assertFalse(rest.more());
    }

    @Test
    void listAtAnOlderRevisionSeesTheStateThen() throws Exception {
        KeyValue a = store.create("/o/a", bytes("a1"));
        KeyValue b = store.create("/o/b", bytes("b1"));
        long then = store.currentRevision();
        store.update("/o/a", bytes("a2"), a.modRevision());
        store.delete("/o/b", 0);
        store.create("/o/c", bytes("c1"));
        ListResult old = store.list("/o/", null, then, 0);
        assertEquals(then, old.revision());
        assertEquals(2, old.items().size());
        assertEntry(a, old.items().get(0));
        assertEntry(b, old.items().get(1));
        ListResult first = store.list("/o/", null, a.modRevision(), 0);
        assertEquals(List.of("/o/a"), keys(first));
        ListResult now = store.list("/o/", null, 0, 0);
        assertEquals(List.of("/o/a", "/o/c"), keys(now));
        assertEquals("a2", string(now.items().get(0).value()));
        ListResult paged = store.list("/o/", "/o/a", then, 1);
        assertEquals(List.of("/o/b"), keys(paged));
        assertFalse(paged.more());
    }

    @Test
    void countCountsTheLiveKeysWithThePrefix() throws Exception {
        for (String key : List.of("/c/a", "/c/b", "/c/c", "/cd", "/d")) {
            store.create(key, bytes("x"));
        }
        store.delete("/c/b", 0);
        assertEquals(2, store.count("/c/"));
        assertEquals(3, store.count("/c"));
        assertEquals(4, store.count(""));
        assertEquals(1, store.count("/c/a"));
        assertEquals(0, store.count("/e"));
    }

    // ---- watch

    @Test
    void watchFromAPastRevisionReplaysTheMissedEventsThenStreamsLiveOnes() throws Exception {
        KeyValue a = store.create("/w/a", bytes("a1"));
        long from = store.currentRevision();
        KeyValue a2 = store.update("/w/a", bytes("a2"), a.modRevision());
        KeyValue b = store.create("/w/b", bytes("b1"));
        Deleted gone = store.delete("/w/a", 0);
        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/w/", from, recorder)) {
            List<WatchEvent> replayed = recorder.await(3);
            assertEvent(WatchEvent.Type.UPDATE, a2, a, replayed.get(0));
            assertEvent(WatchEvent.Type.CREATE, b, null, replayed.get(1));
            assertDeleteEvent("/w/a", gone.revision(), a2, replayed.get(2));
            KeyValue b2 = store.update("/w/b", bytes("b2"), b.modRevision());
            KeyValue c = store.create("/w/c", bytes("c1"));
            List<WatchEvent> all = recorder.await(5);
            assertEvent(WatchEvent.Type.UPDATE, b2, b, all.get(3));
            assertEvent(WatchEvent.Type.CREATE, c, null, all.get(4));
            assertSentinelIsNext(recorder, "/w/", 5);
        }
        recorder.assertHealthy();
    }

    @Test
    void watchHandsOverFromReplayToLiveWithoutGapOrDuplicate() throws Exception {
        List<Long> initial = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            initial.add(store.create("/h/" + i, bytes("x")).modRevision());
        }
        ConcurrentLinkedQueue<Long> written = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                running.add(writers.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        written.add(store.create("/h/t" + thread + "/" + i, bytes("y")).modRevision());
                    }
                    return null;
                }));
            }
            Thread.sleep(100);
            long from = initial.get(24);
            Recorder recorder = new Recorder();
            try (Watch watch = store.watch("/h/", from, recorder)) {
                Thread.sleep(300);
                stop.set(true);
                for (Future<?> writer : running) {
                    writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                long last = store.currentRevision();
                List<Long> expected = new ArrayList<>(initial.subList(25, 50));
                written.stream().sorted().forEach(expected::add);
                assertEquals(last, expected.get(expected.size() - 1));
                List<WatchEvent> events = recorder.await(expected.size());
                assertEquals(expected, events.stream().map(WatchEvent::revision).toList());
                assertSentinelIsNext(recorder, "/h/", expected.size());
            }
            recorder.assertHealthy();
        } finally {
            stop.set(true);
            writers.shutdown();
            assertTrue(writers.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void watchFiltersByPrefix() throws Exception {
        long from = store.currentRevision();
        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/pods/", from, recorder)) {
            store.create("/pods/a", bytes("1"));
            store.create("/podsx", bytes("1"));
            store.create("/services/a", bytes("1"));
            KeyValue b = store.create("/pods/b", bytes("1"));
            List<WatchEvent> events = recorder.await(2);
            assertEquals(List.of("/pods/a", "/pods/b"), events.stream().map(e -> e.current().key()).toList());
            assertEquals(b.modRevision(), events.get(1).revision());
            assertSentinelIsNext(recorder, "/pods/", 2);
        }
        Recorder replay = new Recorder();
        try (Watch watch = store.watch("/services/", from, replay)) {
            assertEquals(List.of("/services/a"), replay.await(1).stream().map(e -> e.current().key()).toList());
            assertSentinelIsNext(replay, "/services/", 1);
        }
    }

    @Test
    void watchFromTheCurrentRevisionSeesOnlyNewChanges() throws Exception {
        store.create("/n/old", bytes("1"));
        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/n/", store.currentRevision(), recorder)) {
            KeyValue fresh = store.create("/n/new", bytes("1"));
            List<WatchEvent> events = recorder.await(1);
            assertEvent(WatchEvent.Type.CREATE, fresh, null, events.get(0));
            assertSentinelIsNext(recorder, "/n/", 1);
        }
    }

    @Test
    void watchAfterAFutureRevisionDeliversOnlyLaterEvents() throws Exception {
        long after = store.currentRevision() + 2;
        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/f/", after, recorder)) {
            KeyValue written;
            int i = 0;
            do {
                written = store.create("/f/" + i++, bytes("1"));
            } while (written.modRevision() <= after);
            assertEvent(WatchEvent.Type.CREATE, written, null, recorder.await(1).get(0));
            assertSentinelIsNext(recorder, "/f/", 1);
        }
    }

    @Test
    void closingAWatchCallsOnCloseWithNullOnceAndStopsDelivery() throws Exception {
        Recorder recorder = new Recorder();
        Watch watch = store.watch("/x/", store.currentRevision(), recorder);
        store.create("/x/a", bytes("1"));
        recorder.await(1);
        watch.close();
        assertNull(recorder.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS).orElse(null));
        watch.close();
        store.create("/x/b", bytes("1"));
        // a later watch sees /x/b; the closed one must not have
        Recorder later = new Recorder();
        try (Watch other = store.watch("/x/", 0, later)) {
            later.await(2);
        }
        assertEquals(1, recorder.events().size());
        assertEquals(1, recorder.closeCalls.get());
        recorder.assertHealthy();
    }

    @Test
    void closingTheStoreClosesEveryWatchWithACause() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        store.watch("/a/", 0, first);
        store.watch("", 0, second);
        store.create("/a/1", bytes("1"));
        first.await(1);
        second.await(1);
        Store closing = store;
        store = null;
        factory().close(closing);
        assertNotNull(first.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS).orElse(null));
        assertNotNull(second.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS).orElse(null));
        assertEquals(1, first.closeCalls.get());
        first.assertHealthy();
        second.assertHealthy();
    }

    @Test
    void concurrentWritesReachAWatchInRevisionOrderOneCallAtATime() throws Exception {
        Recorder recorder = new Recorder(Duration.ofMillis(1));
        int threads = 4;
        int each = 100;
        try (Watch watch = store.watch("/cw/", 0, recorder)) {
            ExecutorService writers = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    running.add(writers.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            store.create("/cw/" + thread + "/" + i, bytes("x"));
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : running) {
                    writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdown();
            }
            List<WatchEvent> events = recorder.await(threads * each);
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i).revision() > events.get(i - 1).revision());
            }
        }
        recorder.assertHealthy();
    }

    // ---- compaction

    @Test
    void compactionForgetsHistoryButKeepsTheLatestValues() throws Exception {
        KeyValue a1 = store.create("/k/a", bytes("a1"));
        store.create("/k/b", bytes("b1"));
        KeyValue a2 = store.update("/k/a", bytes("a2"), a1.modRevision());
        long compactAt = store.delete("/k/b", 0).revision();
        KeyValue d = store.create("/k/d", bytes("d1"));
        KeyValue a3 = store.update("/k/a", bytes("a3"), a2.modRevision());
        store.create("/k/e", bytes("e1"));
        store.compact(compactAt);
        assertEquals(compactAt, store.compactedRevision());

        CompactedException old = assertThrows(CompactedException.class, () -> store.list("/k/", null, a1.modRevision(), 0));
        assertEquals(compactAt, old.compactedRevision());
        assertThrows(CompactedException.class, () -> store.list("/k/", null, compactAt, 0));
        assertThrows(CompactedException.class, () -> store.watch("/k/", compactAt - 1, new Recorder()));

        ListResult after = store.list("/k/", null, d.modRevision(), 0);
        assertEquals(List.of("/k/a", "/k/d"), keys(after));
        assertEntry(a2, after.items().get(0));
        assertEquals(List.of("/k/a", "/k/d", "/k/e"), keys(store.list("/k/", null, 0, 0)));
        assertEntry(a3, store.get("/k/a").orElseThrow());
        assertEquals(Optional.empty(), store.get("/k/b"));
        assertEquals(3, store.count("/k/"));

        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/k/", compactAt, recorder)) {
            List<WatchEvent> events = recorder.await(3);
            assertEvent(WatchEvent.Type.CREATE, d, null, events.get(0));
            assertEvent(WatchEvent.Type.UPDATE, a3, a2, events.get(1));
            KeyValue b = store.create("/k/b", bytes("b2"));
            assertEvent(WatchEvent.Type.CREATE, b, null, recorder.await(4).get(3));
        }
        assertTrue(store.update("/k/a", bytes("a4"), a3.modRevision()).modRevision() > store.compactedRevision());
        long later = store.currentRevision();
        store.compact(later);
        assertEquals(later, store.compactedRevision());
        assertEquals(List.of("/k/a", "/k/b", "/k/d", "/k/e"), keys(store.list("/k/", null, 0, 0)));
        assertEquals("a4", string(store.get("/k/a").orElseThrow().value()));
    }

    @Test
    void aWatchThatCompactionOvertakesIsNeverSilentlyIncomplete() throws Exception {
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            revisions.add(store.create("/ov/" + (i % 10) + "/" + i, bytes("x")).modRevision());
        }
        Recorder slow = new Recorder(Duration.ofMillis(20));
        try (Watch watch = store.watch("/ov/", 0, slow)) {
            for (int i = 0; i < 10; i++) {
                revisions.add(store.delete("/ov/" + i + "/" + i, 0).revision());
            }
            store.compact(store.currentRevision());
            // either every event arrives in order, or the watch is closed with a cause
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (slow.events().size() < 210 && !slow.closed.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<WatchEvent> events = slow.events();
            if (slow.closed.isDone()) {
                assertNotNull(slow.closed.get().orElse(null));
            } else {
                assertEquals(210, events.size());
            }
            assertEquals(revisions.subList(0, events.size()), events.stream().map(WatchEvent::revision).toList());
        }
        slow.assertHealthy();
    }

    // ---- concurrency, reopening, crashing

    @Test
    void concurrentReadModifyWriteLosesNoIncrement() throws Exception {
        store.create("/counter", bytes("0"));
        long start = store.currentRevision();
        int threads = 8;
        int each = 50;
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    go.await();
                    KeyValue seen = store.get("/counter").orElseThrow();
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            long n = Long.parseLong(string(seen.value()));
                            try {
                                seen = store.update("/counter", bytes(Long.toString(n + 1)), seen.modRevision());
                                break;
                            } catch (ConflictException e) {
                                conflicts.incrementAndGet();
                                seen = e.current();
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> thread : running) {
                thread.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        KeyValue counter = store.get("/counter").orElseThrow();
        assertEquals(Integer.toString(threads * each), string(counter.value()));
        assertEquals(start + threads * each, store.currentRevision());
        assertTrue(conflicts.get() > 0, "the threads never raced: the test proves nothing");
    }

    @Test
    void reopeningKeepsEverythingAndContinuesTheRevisions() throws Exception {
        KeyValue a = store.create("/re/a", bytes("a1"));
        store.create("/re/b", bytes("b1"));
        store.update("/re/a", bytes("a2"), a.modRevision());
        store.delete("/re/b", 0);
        long compactAt = store.currentRevision();
        store.compact(compactAt);
        KeyValue c = store.create("/re/c", bytes("c1"));
        KeyValue a3 = store.update("/re/a", bytes("a3"), store.get("/re/a").orElseThrow().modRevision());
        long revision = store.currentRevision();
        factory().close(store);
        store = null;

        store = factory().open(dir.resolve("store"));
        assertEquals(revision, store.currentRevision());
        assertEquals(compactAt, store.compactedRevision());
        assertEquals(List.of("/re/a", "/re/c"), keys(store.list("/re/", null, 0, 0)));
        assertEntry(a3, store.get("/re/a").orElseThrow());
        ListResult atC = store.list("/re/", null, c.modRevision(), 0);
        assertEquals(List.of("/re/a", "/re/c"), keys(atC));
        assertEquals("a2", string(atC.items().get(0).value()));
        assertThrows(CompactedException.class, () -> store.list("/re/", null, compactAt - 1, 0));
        Recorder recorder = new Recorder();
        try (Watch watch = store.watch("/re/", compactAt, recorder)) {
            List<WatchEvent> events = recorder.await(2);
            assertEvent(WatchEvent.Type.CREATE, c, null, events.get(0));
            assertEquals(a3.modRevision(), events.get(1).revision());
            KeyValue d = store.create("/re/d", bytes("d1"));
            assertTrue(d.modRevision() > revision);
            assertEvent(WatchEvent.Type.CREATE, d, null, recorder.await(3).get(2));
        }
    }

    @Test
    void acknowledgedWritesSurviveKill9() throws Exception {
        StoreFactory factory = factory();
        Class<?> type = factory.getClass();
        assertTrue(Modifier.isPublic(type.getModifiers()) && Modifier.isPublic(type.getConstructor().getModifiers()),
                type + " needs to be public with a public no-arg constructor");
        Path crashDir = dir.resolve("crash");
        Path stderr = dir.resolve("crash-writer.err");
        Path tmp = Files.createDirectories(dir.resolve("crash-tmp"));
        // the child's temporary files (a native library, say) stay in the test's directory: a killed JVM leaves them
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                type.getName(), crashDir.toString(), "8")
                .redirectError(stderr.toFile())
                .start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> firstLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    firstLine.complete(null);
                }
            } catch (IOException e) {
                firstLine.completeExceptionally(e);
            }
        }, "crash-test-reader");
        reader.start();
        try {
            firstLine.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            child.destroyForcibly();
            fail("the crash writer wrote nothing: " + Files.readString(stderr), e);
        }
        Thread.sleep(1500);
        child.destroyForcibly();
        assertTrue(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        reader.join(WAIT.toMillis());
        assertEquals(137, child.exitValue(), "not killed with SIGKILL; stderr: " + Files.readString(stderr));

        List<long[]> acknowledged = new ArrayList<>();
        List<String> ackedKeys = new ArrayList<>();
        synchronized (lines) {
            for (String line : lines) {
                String[] parts = line.split(" ");
                // the line being printed when the kill came may be cut short: only whole lines count
                if (parts.length == 2 && parts[0].length() == "/crash/000000000".length() && parts[1].matches("\\d+")) {
                    ackedKeys.add(parts[0]);
                    acknowledged.add(new long[] {ackedKeys.size() - 1, Long.parseLong(parts[1])});
                }
            }
        }
        assertTrue(acknowledged.size() > 20, "too few writes to judge: " + acknowledged.size());

        Store reopened = factory.open(crashDir);
        try {
            for (long[] ack : acknowledged) {
                String key = ackedKeys.get((int) ack[0]);
                KeyValue kv = reopened.get(key).orElseThrow(() -> new AssertionError("acknowledged write lost: " + key));
                assertEquals(ack[1], kv.modRevision(), key);
                assertEquals(ack[1], kv.createRevision(), key);
                assertEquals(256, kv.value().length, key);
            }
            long lastAcked = acknowledged.stream().mapToLong(a -> a[1]).max().orElseThrow();
            assertTrue(reopened.currentRevision() >= lastAcked);

            // the tenth-last acknowledged revision: threads print out of revision order
            long from = acknowledged.stream().mapToLong(a -> a[1]).sorted().skip(acknowledged.size() - 10).findFirst()
                    .orElseThrow();
            List<KeyValue> expected = new ArrayList<>(reopened.list("/crash/", null, 0, 0).items());
            expected.removeIf(kv -> kv.modRevision() <= from);
            expected.sort(Comparator.comparingLong(KeyValue::modRevision));
            assertTrue(expected.size() >= 9);
            Recorder recorder = new Recorder();
            try (Watch watch = reopened.watch("/crash/", from, recorder)) {
                List<WatchEvent> events = recorder.await(expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    assertEvent(WatchEvent.Type.CREATE, expected.get(i), null, events.get(i));
                }
                KeyValue live = reopened.create("/crash/live", bytes("after the crash"));
                assertTrue(live.modRevision() > reopened.list("/crash/", null, 0, 0).items().stream()
                        .filter(kv -> !kv.key().equals("/crash/live")).mapToLong(KeyValue::modRevision).max().orElseThrow());
                List<WatchEvent> all = recorder.await(expected.size() + 1);
                assertEquals(expected.size() + 1, all.size());
                assertEvent(WatchEvent.Type.CREATE, live, null, all.get(expected.size()));
            }
            recorder.assertHealthy();
        } finally {
            factory.close(reopened);
        }
    }

    // ---- helpers

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    protected static String string(byte[] b) {
        return new String(b, UTF_8);
    }

    private static List<String> keys(ListResult result) {
        return result.items().stream().map(KeyValue::key).toList();
    }

    private static void assertEntry(String key, String value, KeyValue actual) {
        assertEquals(key, actual.key());
        assertEquals(value, string(actual.value()));
    }

    private static void assertEntry(KeyValue expected, KeyValue actual) {
        assertEquals(expected.key(), actual.key());
        assertArrayEquals(expected.value(), actual.value(), expected.key());
        assertEquals(expected.createRevision(), actual.createRevision(), expected.key() + " create revision");
        assertEquals(expected.modRevision(), actual.modRevision(), expected.key() + " mod revision");
    }

    private static void assertEvent(WatchEvent.Type type, KeyValue current, KeyValue previous, WatchEvent actual) {
        assertEquals(type, actual.type(), actual.toString());
        assertEntry(current, actual.current());
        assertEquals(current.modRevision(), actual.revision());
        if (previous == null) {
            assertNull(actual.previous());
        } else {
            assertEntry(previous, actual.previous());
        }
    }

    private static void assertDeleteEvent(String key, long revision, KeyValue previous, WatchEvent actual) {
        assertEquals(WatchEvent.Type.DELETE, actual.type());
        assertEquals(key, actual.current().key());
        assertEquals(0, actual.current().value().length);
        assertEquals(revision, actual.current().modRevision());
        assertEquals(revision, actual.revision());
        assertEntry(previous, actual.previous());
    }

    /** Writes one more key under the prefix and checks it is the very next event: nothing else came. */
    private void assertSentinelIsNext(Recorder recorder, String prefix, int seen) throws Exception {
        KeyValue sentinel = store.create(prefix + "zz-sentinel-" + seen, bytes("end"));
        List<WatchEvent> events = recorder.await(seen + 1);
        assertEquals(seen + 1, events.size(), "unexpected events: " + events);
        assertEquals(sentinel.modRevision(), events.get(seen).revision());
    }

    /** Records what a watch delivers and checks the listener contract while doing so. */
    private static final class Recorder implements WatchListener {
        final CompletableFuture<Optional<Throwable>> closed = new CompletableFuture<>();
        final AtomicInteger closeCalls = new AtomicInteger();
        private final List<WatchEvent> events = new ArrayList<>();
        private final AtomicInteger inside = new AtomicInteger();
        private final List<String> violations = new ArrayList<>();
        private final Duration delay;

        Recorder() {
            this(Duration.ZERO);
        }

        /** A listener that takes {@code delay} in every call, to let events pile up. */
        Recorder(Duration delay) {
            this.delay = delay;
        }

        @Override
        public void onEvents(List<WatchEvent> delivered) {
            if (inside.incrementAndGet() != 1) {
                violation("onEvents called concurrently");
            }
            if (closed.isDone()) {
                violation("onEvents after onClose");
            }
            if (delivered.isEmpty()) {
                violation("onEvents with no event");
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                for (WatchEvent event : delivered) {
                    if (!events.isEmpty() && event.revision() <= events.get(events.size() - 1).revision()) {
                        violation("revision " + event.revision() + " after " + events.get(events.size() - 1).revision());
                    }
                    events.add(event);
                }
                notifyAll();
            }
            inside.decrementAndGet();
        }

        @Override
        public void onClose(Throwable cause) {
            if (inside.get() != 0) {
                violation("onClose during onEvents");
            }
            closeCalls.incrementAndGet();
            closed.complete(Optional.ofNullable(cause));
        }

        synchronized List<WatchEvent> events() {
            return List.copyOf(events);
        }

        /** Waits until at least {@code n} events came; fails on a timeout or an early close. */
        synchronized List<WatchEvent> await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.size() < n) {
                if (closed.isDone()) {
                    fail("watch closed after " + events.size() + " of " + n + " events: " + closed.join().orElse(null));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out with " + events.size() + " of " + n + " events");
                }
                wait(Math.max(1, Math.min(100, left / 1_000_000)));
            }
            return List.copyOf(events);
        }

        void assertHealthy() {
            synchronized (violations) {
                assertEquals(List.of(), violations);
            }
        }

        private void violation(String what) {
            synchronized (violations) {
                violations.add(what);
            }
        }
    }
}
