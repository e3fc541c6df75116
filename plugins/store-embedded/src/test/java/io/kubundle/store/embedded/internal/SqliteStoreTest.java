package io.kubundle.store.embedded.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.JDBC;

import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/** What the conformance suite leaves to the implementation: limits, failures, files and threads. */
final class SqliteStoreTest {
    private static final byte[] VALUE = "v".getBytes(UTF_8);

    @TempDir
    Path dir;

    @Test
    void aListenerThatFallsBehindItsBufferIsClosedWithACause() throws Exception {
        SqliteStore store = SqliteStore.open(dir, new Options(1000, 10, 1, 2));
        try {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            store.watch("/", 0, listener(events -> await(release), closed));
            store.create("/first", VALUE);
            for (int i = 0; i < 20; i++) {
                store.create("/k" + i, VALUE);
            }
            release.countDown();
            Throwable cause = closed.get(10, TimeUnit.SECONDS);
            assertInstanceOf(StoreException.class, cause);
            assertTrue(cause.getMessage().contains("fell behind"), cause.getMessage());
            // the store goes on; a new watch from the last revision seen picks up where it ended
            store.create("/after", VALUE);
        } finally {
            store.close();
        }
    }

    @Test
    void aListenerThatThrowsIsClosedWithItsException() throws Exception {
        SqliteStore store = SqliteStore.open(dir, Options.DEFAULTS);
        try {
            RuntimeException boom = new IllegalStateException("boom");
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            store.watch("/", 0, listener(events -> {
                throw boom;
            }, closed));
            store.create("/a", VALUE);
            assertSame(boom, closed.get(10, TimeUnit.SECONDS));
        } finally {
            store.close();
        }
    }

    @Test
    void oneStorePerDirectoryAndNothingLeftRunningAfterClose() throws Exception {
        SqliteStore store = SqliteStore.open(dir, Options.DEFAULTS);
        store.watch("/", 0, listener(events -> { }, new CompletableFuture<>()));
        StoreException inUse = assertThrows(StoreException.class, () -> SqliteStore.open(dir, Options.DEFAULTS));
        assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        assertTrue(storeThreads() > 0);
        store.close();
        store.close();
        assertEquals(0, storeThreads(), "threads left behind");
        assertThrows(StoreException.class, () -> store.create("/a", VALUE));
        assertThrows(StoreException.class, () -> store.get("/a"));
        assertThrows(StoreException.class, () -> store.watch("/", 0, listener(events -> { }, new CompletableFuture<>())));
        SqliteStore.open(dir, Options.DEFAULTS).close();
    }

    @Test
    void batchesLargerThanTheLimitAreSplit() throws Exception {
        SqliteStore store = SqliteStore.open(dir, new Options(3, 10_000, 1, 2));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Long>> writes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String key = "/k/" + i;
                writes.add(pool.submit(() -> store.create(key, VALUE).modRevision()));
            }
            Set<Long> revisions = new HashSet<>();
            for (Future<Long> write : writes) {
                revisions.add(write.get(30, TimeUnit.SECONDS));
            }
            assertEquals(400, revisions.size());
            assertEquals(400, store.count("/k/"));
            assertEquals(400, store.currentRevision());
        } finally {
            pool.shutdown();
            store.close();
        }
    }

    @Test
    void compactionRemovesTheHistoryNoReadNeedsAnyMore() throws Exception {
        SqliteStore store = SqliteStore.open(dir, Options.DEFAULTS);
        try {
            long revision = store.create("/a", VALUE).modRevision();
            for (int i = 0; i < 5000; i++) {
                revision = store.update("/a", VALUE, revision).modRevision();
            }
            store.create("/gone", VALUE);
            store.delete("/gone", 0);
            store.create("/b", VALUE);
            assertEquals(5004, rows());
            store.compact(store.currentRevision() - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rows() > 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // the latest row of /a and the row of /b, which is above the compacted revision
            assertEquals(2, rows());
            assertEquals(revision, store.get("/a").orElseThrow().modRevision());
        } finally {
            store.close();
        }
        SqliteStore reopened = SqliteStore.open(dir, Options.DEFAULTS);
        try {
            assertEquals(5004, reopened.currentRevision());
            assertEquals(5003, reopened.compactedRevision());
            assertEquals(List.of("/a", "/b"), reopened.list("/", null, 0, 0).items().stream().map(kv -> kv.key()).toList());
        } finally {
            reopened.close();
        }
    }

    @Test
    void theRevisionCounterOutlivesACompactedDelete() throws Exception {
        SqliteStore store = SqliteStore.open(dir, Options.DEFAULTS);
        store.create("/a", VALUE);
        long deleted = store.delete("/a", 0).revision();
        store.compact(deleted);
        store.close();
        SqliteStore reopened = SqliteStore.open(dir, Options.DEFAULTS);
        try {
            assertEquals(deleted, reopened.currentRevision());
            assertTrue(reopened.create("/a", VALUE).modRevision() > deleted);
        } finally {
            reopened.close();
        }
    }

    @Test
    void theDataDirectoryComesFromTheConfigurationOrTheFramework() {
        assertEquals(Path.of("/srv/store"), EmbeddedStoreComponent.directory("/srv/store", "/data"));
        assertEquals(Path.of("/data", "store"), EmbeddedStoreComponent.directory("", "/data"));
        assertThrows(IllegalStateException.class, () -> EmbeddedStoreComponent.directory(" ", null));
    }

    private long rows() throws SQLException {
        try (Connection connection = JDBC.createConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.DATABASE), new Properties());
                ResultSet count = connection.createStatement().executeQuery("SELECT count(*) FROM log")) {
            count.next();
            return count.getLong(1);
        }
    }

    private interface EventsHandler {
        void handle(List<WatchEvent> events);
    }

    private static WatchListener listener(EventsHandler handler, CompletableFuture<Throwable> closed) {
        return new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                handler.handle(events);
            }

            @Override
            public void onClose(Throwable cause) {
                closed.complete(cause);
            }
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long storeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("kubundle-store-") && thread.isAlive())
                .count();
    }
}
