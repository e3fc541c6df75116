package io.kubundle.store.embedded.internal;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.kubundle.api.store.StoreException;

/**
 * The read connections. In WAL mode each SQLite statement reads a consistent snapshot and never
 * waits for the writer, so reads run side by side on their own connections.
 */
final class ReaderPool {
    interface Read<T> {
        T apply(Log log) throws SQLException, StoreException;
    }

    private final List<Log> all;
    private final BlockingQueue<Log> idle;
    // readers share it while they hold a connection; close takes it alone
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private boolean closed;

    ReaderPool(List<Log> connections) {
        all = List.copyOf(connections);
        idle = new ArrayBlockingQueue<>(all.size(), false, all);
    }

    <T> T read(Read<T> read) throws StoreException {
        closing.readLock().lock();
        try {
            if (closed) {
                throw new StoreException("the store is closed");
            }
            Log log = idle.take();
            try {
                return read.apply(log);
            } finally {
                idle.add(log);
            }
        } catch (SQLException e) {
            throw new StoreException("read failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a read connection", e);
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Waits for the reads under way, then closes every connection. */
    void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Log log : all) {
                try {
                    log.close();
                } catch (SQLException e) {
                    SqliteStore.LOG.log(System.Logger.Level.WARNING, "closing a read connection failed", e);
                }
            }
        } finally {
            closing.writeLock().unlock();
        }
    }
}
