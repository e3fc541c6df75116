package io.kubundle.store.embedded.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchListener;

/**
 * The embedded store: the revision history in one SQLite file in WAL mode, written by one
 * group-committing thread and read through a pool of connections.
 */
final class SqliteStore implements Store {
    static final System.Logger LOG = System.getLogger(SqliteStore.class.getName());
    static final String DATABASE = "store.db";

    private interface AtRevision<T> {
        T read(long revision) throws StoreException;
    }

    private final FileChannel lockFile;
    private final FileLock lock;
    private final Revisions revisions;
    private final ReaderPool readers;
    private final WatchHub hub;
    private final GroupCommitter committer;
    private boolean closed; // guarded by this

    private SqliteStore(FileChannel lockFile, FileLock lock, Log writer, List<Log> readers, Options options)
            throws SQLException {
        this.lockFile = lockFile;
        this.lock = lock;
        long compacted = writer.meta(GroupCommitter.COMPACTED);
        // the counter, the log or the compaction: whichever is highest, so no revision is reused
        long current = Math.max(Math.max(writer.meta(GroupCommitter.REVISION), writer.maxRevision()), compacted);
        long purged = writer.meta(GroupCommitter.PURGED);
        revisions = new Revisions(current, compacted);
        this.readers = new ReaderPool(readers);
        hub = new WatchHub(revisions,
                (lo, hi, after, upTo, limit) -> this.readers.read(log -> log.events(lo, hi, after, upTo, limit)),
                options.watchBuffer(), options.watchThreads());
        committer = new GroupCommitter(writer, hub, revisions, purged, options.maxBatch());
    }

    /** Opens the store in {@code dir}, creating it if needed; one process and one store per directory. */
    static SqliteStore open(Path dir, Options options) throws StoreException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            opened.add(lockFile);
            FileLock lock = tryLock(lockFile);
            if (lock == null) {
                throw new StoreInUseException("the store in " + dir + " is in use by another store");
            }
            String url = "jdbc:sqlite:" + dir.resolve(DATABASE);
            Log writer = new Log(connect(url, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"));
            opened.add(writer);
            Log.createSchema(writer.connection());
            writer.connection().setAutoCommit(false);
            List<Log> readers = new ArrayList<>();
            for (int i = 0; i < options.readConnections(); i++) {
                Log reader = new Log(connect(url, "PRAGMA query_only = true"));
                opened.add(reader);
                readers.add(reader);
            }
            return new SqliteStore(lockFile, lock, writer, readers, options);
        } catch (IOException | SQLException | StoreException | RuntimeException e) {
            for (AutoCloseable resource : opened) {
                try {
                    resource.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof StoreException store) {
                throw store;
            }
            throw new StoreException("cannot open the store in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long currentRevision() {
        return revisions.current;
    }

    @Override
    public long compactedRevision() {
        return revisions.compacted;
    }

    @Override
    public KeyValue create(String key, byte[] value) throws StoreException {
        return (KeyValue) committer.submit(Op.create(key, value));
    }

    @Override
    public Optional<KeyValue> get(String key) throws StoreException {
        byte[] bytes = Keys.key(key);
        return atLatest(revision -> readers.read(log -> {
            Log.Row row = log.latest(bytes, revision);
            return row == null || row.deleted() ? Optional.empty() : Optional.of(row.entry(key));
        }));
    }

    @Override
    public ListResult list(String prefix, String startAfter, long revision, int limit) throws StoreException {
        if (revision < 0 || limit < 0) {
            throw new IllegalArgumentException("negative revision or limit: " + revision + ", " + limit);
        }
        byte[] lo = Keys.prefix(prefix);
        byte[] hi = Keys.end(lo);
        byte[] after = startAfter == null ? Log.EMPTY : Keys.prefix(startAfter);
        AtRevision<ListResult> list = at -> readers.read(log -> {
            // one more than asked for tells whether more follow
            List<KeyValue> items = log.list(lo, hi, after, at, limit == 0 ? -1 : limit + 1);
            boolean more = limit > 0 && items.size() > limit;
            return new ListResult(more ? items.subList(0, limit) : items, at, more);
        });
        if (revision == 0) {
            return atLatest(list);
        }
        long current = revisions.current;
        if (revision > current) {
            throw new StoreException("revision " + revision + " is in the future: the latest is " + current);
        }
        checkNotCompacted(revision);
        ListResult result = list.read(revision);
        // a compaction that overtook the read may have removed rows it used
        checkNotCompacted(revision);
        return result;
    }

    @Override
    public long count(String prefix) throws StoreException {
        byte[] lo = Keys.prefix(prefix);
        byte[] hi = Keys.end(lo);
        return atLatest(revision -> readers.read(log -> log.count(lo, hi, revision)));
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws StoreException {
        return (KeyValue) committer.submit(Op.update(key, value, expectedModRevision));
    }

    @Override
    public Deleted delete(String key, long expectedModRevision) throws StoreException {
        return (Deleted) committer.submit(Op.delete(key, expectedModRevision));
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) throws StoreException {
        return hub.watch(prefix, afterRevision, Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void compact(long revision) throws StoreException {
        committer.submit(Op.compact(revision));
    }

    /**
     * Commits the writes already queued, closes every watch with a cause, and releases the
     * threads, connections and the directory lock. Idempotent.
     */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        committer.close();
        hub.close(new StoreException("the store was closed"));
        readers.close();
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the store's lock file failed", e);
        }
    }

    /** Reads at the current revision, again if a compaction overtook the read. */
    private <T> T atLatest(AtRevision<T> read) throws StoreException {
        while (true) {
            long revision = revisions.current;
            T result = read.read(revision);
            if (revisions.compacted <= revision) {
                return result;
            }
        }
    }

    private void checkNotCompacted(long revision) throws CompactedException {
        long compacted = revisions.compacted;
        if (revision <= compacted) {
            throw new CompactedException(revision, compacted);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static Connection connect(String url, String... pragmas) throws SQLException {
        // the driver class itself, not DriverManager, which cannot see a driver in another bundle
        SQLiteConfig config = new SQLiteConfig();
        // the driver would otherwise match every statement against a pattern to prepare generated keys
        config.setGetGeneratedKeys(false);
        Connection connection = JDBC.createConnection(url, config.toProperties());
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 10000");
            for (String pragma : pragmas) {
                statement.execute(pragma);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }
}
