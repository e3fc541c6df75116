package io.kubundle.store.embedded.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.kubundle.api.store.ConflictException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyExistsException;
import io.kubundle.api.store.KeyNotFoundException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.WatchEvent;

/**
 * The one thread that writes. It takes every write that queued up while it was committing the
 * previous batch and commits them in one transaction, so one fsync makes many writes durable
 * (group commit); only then are the writes published to watches and their callers released.
 * Between batches it physically removes compacted history, a slice at a time.
 */
final class GroupCommitter {
    static final String REVISION = "revision";
    static final String COMPACTED = "compacted";
    static final String PURGED = "purged";
    /** Revisions of compacted history removed per transaction. */
    private static final int PURGE_SLICE = 2000;
    /** Under a steady stream of writes, one purge slice after this many batches. */
    private static final int PURGE_EVERY = 8;

    private final Log log;
    private final WatchHub hub;
    private final Revisions revisions;
    private final int maxBatch;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private ArrayList<Op> queue = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock

    // the writer thread's own
    private long revision;
    private long compacted;
    private long purged;
    private int batchesSincePurge;

    /** Starts the writer on {@code log}, whose connection is in manual-commit mode and stays the writer's. */
    GroupCommitter(Log log, WatchHub hub, Revisions revisions, long purged, int maxBatch) {
        this.log = log;
        this.hub = hub;
        this.revisions = revisions;
        this.revision = revisions.current;
        this.compacted = revisions.compacted;
        this.purged = purged;
        this.maxBatch = maxBatch;
        thread = new Thread(this::run, "kubundle-store-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a write and waits until it is committed (or refused). */
    Object submit(Op op) throws StoreException {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException("the store is closed");
            }
            queue.add(op);
            // the writer waits only on an empty queue
            if (queue.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        return op.await();
    }

    /** Commits what is queued, stops the thread and closes the connection. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            for (List<Op> batch; (batch = next()) != null;) {
                if (!batch.isEmpty()) {
                    commit(batch);
                    batchesSincePurge++;
                }
                if (purged < compacted && (batch.isEmpty() || batchesSincePurge >= PURGE_EVERY)) {
                    purgeSlice();
                    batchesSincePurge = 0;
                }
            }
        } finally {
            try {
                log.close();
            } catch (SQLException e) {
                SqliteStore.LOG.log(System.Logger.Level.WARNING, "closing the write connection failed", e);
            }
        }
    }

    /** The next batch; empty when idle with history to purge; null once closed and drained. */
    private List<Op> next() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return null;
                }
                if (purged < compacted) {
                    return List.of();
                }
                work.awaitUninterruptibly();
            }
            if (queue.size() <= maxBatch) {
                List<Op> batch = queue;
                queue = new ArrayList<>();
                return batch;
            }
            List<Op> head = queue.subList(0, maxBatch);
            List<Op> batch = new ArrayList<>(head);
            head.clear();
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void commit(List<Op> batch) {
        long next = revision;
        long compactTo = compacted;
        List<WatchEvent> events = new ArrayList<>(batch.size());
        try {
            for (Op op : batch) {
                switch (op.kind) {
                    case CREATE -> next = create(op, next, events);
                    case UPDATE -> next = update(op, next, events);
                    case DELETE -> next = delete(op, next, events);
                    case COMPACT -> compactTo = compact(op, next, compactTo);
                }
            }
            if (next != revision) {
                putMeta(REVISION, next);
            }
            if (compactTo != compacted) {
                putMeta(COMPACTED, compactTo);
            }
            // synchronous=FULL in WAL mode: the commit returns once the log is fsync'ed
            log.connection().commit();
        } catch (SQLException | RuntimeException e) {
            rollback();
            StoreException failure = new StoreException("write failed, nothing was written: " + e.getMessage(), e);
            for (Op op : batch) {
                op.fail(failure);
                op.complete();
            }
            return;
        }
        revision = next;
        compacted = compactTo;
        if (!events.isEmpty()) {
            hub.publish(revision, events);
        }
        // after publishing, so that compacted never exceeds the published revision
        revisions.compacted = compacted;
        for (Op op : batch) {
            op.complete();
        }
    }

    private long create(Op op, long next, List<WatchEvent> events) throws SQLException {
        Log.Row row = log.latest(op.keyBytes, Long.MAX_VALUE);
        if (row != null && !row.deleted()) {
            op.fail(new KeyExistsException(op.key));
            return next;
        }
        long at = next + 1;
        insert(at, op.keyBytes, at, row == null ? 0 : row.revision(), false, op.value);
        KeyValue created = new KeyValue(op.key, op.value, at, at);
        events.add(new WatchEvent(WatchEvent.Type.CREATE, created, null));
        op.succeed(created);
        return at;
    }

    private long update(Op op, long next, List<WatchEvent> events) throws SQLException {
        KeyValue current = current(op);
        if (current == null) {
            return next;
        }
        long at = next + 1;
        insert(at, op.keyBytes, current.createRevision(), current.modRevision(), false, op.value);
        KeyValue updated = new KeyValue(op.key, op.value, current.createRevision(), at);
        events.add(new WatchEvent(WatchEvent.Type.UPDATE, updated, current));
        op.succeed(updated);
        return at;
    }

    private long delete(Op op, long next, List<WatchEvent> events) throws SQLException {
        KeyValue current = current(op);
        if (current == null) {
            return next;
        }
        long at = next + 1;
        insert(at, op.keyBytes, current.createRevision(), current.modRevision(), true, Log.EMPTY);
        events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(op.key, Log.EMPTY, 0, at), current));
        op.succeed(new Deleted(current, at));
        return at;
    }

    /** The entry an update or delete applies to, or null after failing the op. */
    private KeyValue current(Op op) throws SQLException {
        Log.Row row = log.latest(op.keyBytes, Long.MAX_VALUE);
        if (row == null || row.deleted()) {
            op.fail(new KeyNotFoundException(op.key));
            return null;
        }
        KeyValue current = row.entry(op.key);
        if (op.kind == Op.Kind.UPDATE || op.revision != 0) {
            if (current.modRevision() != op.revision) {
                op.fail(new ConflictException(current, op.revision));
                return null;
            }
        }
        return current;
    }

    private long compact(Op op, long next, long compactTo) {
        if (op.revision > next) {
            op.fail(new StoreException("cannot compact at revision " + op.revision + ": the latest is " + next));
            return compactTo;
        }
        op.succeed(null);
        // compacting at or below the compacted revision again is nothing to do
        return Math.max(compactTo, op.revision);
    }

    private void purgeSlice() {
        long to = Math.min(compacted, purged + PURGE_SLICE);
        try {
            PreparedStatement purge = log.statement(Log.PURGE);
            purge.setLong(1, purged);
            purge.setLong(2, to);
            purge.setLong(3, compacted);
            purge.executeUpdate();
            putMeta(PURGED, to);
            log.connection().commit();
            purged = to;
        } catch (SQLException e) {
            rollback();
            // leftover history is only space: reads never look below the compacted revision
            SqliteStore.LOG.log(System.Logger.Level.WARNING, "removing compacted history failed; retried at the next start", e);
            purged = compacted;
        }
    }

    private void insert(long at, byte[] key, long createRevision, long previousRevision, boolean deleted, byte[] value)
            throws SQLException {
        PreparedStatement insert = log.statement(Log.INSERT);
        insert.setLong(1, at);
        insert.setBytes(2, key);
        insert.setLong(3, createRevision);
        insert.setLong(4, previousRevision);
        insert.setInt(5, deleted ? 1 : 0);
        insert.setBytes(6, value);
        insert.executeUpdate();
    }

    private void putMeta(String name, long value) throws SQLException {
        PreparedStatement put = log.statement(Log.PUT_META);
        put.setString(1, name);
        put.setLong(2, value);
        put.executeUpdate();
    }

    private void rollback() {
        try {
            log.connection().rollback();
        } catch (SQLException e) {
            SqliteStore.LOG.log(System.Logger.Level.WARNING, "rollback failed", e);
        }
    }
}
