package io.kubundle.store.embedded.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.WatchEvent;

/**
 * The log table, as kine keeps it for k3s: one row per write, never updated; a key's state at a
 * revision is its latest row at or below it, and a delete is a row marked deleted. The queries
 * here run on one connection, which is used by one thread at a time.
 */
final class Log implements AutoCloseable {
    static final byte[] EMPTY = new byte[0];

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS log (rev INTEGER PRIMARY KEY, key BLOB NOT NULL, create_rev INTEGER NOT NULL,"
                    + " prev_rev INTEGER NOT NULL, deleted INTEGER NOT NULL, value BLOB NOT NULL)",
            "CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev)",
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");

    static final String INSERT =
            "INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)";
    static final String PUT_META = "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)";
    /**
     * Removes the rows of (from, to] that no read at or above the compacted revision needs: every
     * row below its key's latest row at the compacted revision, and that row too if it is a delete.
     */
    static final String PURGE = "DELETE FROM log WHERE rev > ? AND rev <= ? AND (deleted = 1"
            + " OR rev < (SELECT max(n.rev) FROM log AS n WHERE n.key = log.key AND n.rev <= ?))";

    private static final String LATEST =
            "SELECT rev, create_rev, deleted, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1";
    // the outer scan walks the (key, rev) index in key order, so a LIMIT stops it early
    private static final String LIST = "SELECT key, create_rev, rev, value FROM log AS l"
            + " WHERE key >= ? AND key < ? AND key > ? AND rev <= ? AND deleted = 0"
            + " AND rev = (SELECT max(n.rev) FROM log AS n WHERE n.key = l.key AND n.rev <= ?)"
            + " ORDER BY key LIMIT ?";
    private static final String COUNT = "SELECT count(*) FROM log AS l"
            + " WHERE key >= ? AND key < ? AND rev <= ? AND deleted = 0"
            + " AND rev = (SELECT max(n.rev) FROM log AS n WHERE n.key = l.key AND n.rev <= ?)";
    private static final String EVENTS = "SELECT l.rev, l.key, l.create_rev, l.deleted, l.value,"
            + " p.rev, p.create_rev, p.deleted, p.value FROM log AS l LEFT JOIN log AS p ON p.rev = l.prev_rev"
            + " WHERE l.rev > ? AND l.rev <= ? AND l.key >= ? AND l.key < ? ORDER BY l.rev LIMIT ?";
    private static final String GET_META = "SELECT value FROM meta WHERE name = ?";
    private static final String MAX_REVISION = "SELECT coalesce(max(rev), 0) FROM log";

    /** A key's row: its state after the write at {@code revision}. */
    record Row(long revision, long createRevision, boolean deleted, byte[] value) {
        KeyValue entry(String key) {
            return new KeyValue(key, value, createRevision, revision);
        }
    }

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    Log(Connection connection) {
        this.connection = connection;
    }

    static void createSchema(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        }
    }

    Connection connection() {
        return connection;
    }

    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** The key's latest row at or below {@code revision}, a delete included, or null. */
    Row latest(byte[] key, long revision) throws SQLException {
        PreparedStatement query = statement(LATEST);
        query.setBytes(1, key);
        query.setLong(2, revision);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? new Row(rows.getLong(1), rows.getLong(2), rows.getInt(3) != 0, rows.getBytes(4)) : null;
        }
    }

    /** The live keys in [lo, hi) after {@code after} at {@code revision}, in key order; limit -1 for all. */
    List<KeyValue> list(byte[] lo, byte[] hi, byte[] after, long revision, int limit) throws SQLException {
        PreparedStatement query = statement(LIST);
        query.setBytes(1, lo);
        query.setBytes(2, hi);
        query.setBytes(3, after);
        query.setLong(4, revision);
        query.setLong(5, revision);
        query.setInt(6, limit);
        List<KeyValue> items = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                items.add(new KeyValue(Keys.string(rows.getBytes(1)), rows.getBytes(4), rows.getLong(2), rows.getLong(3)));
            }
        }
        return items;
    }

    long count(byte[] lo, byte[] hi, long revision) throws SQLException {
        PreparedStatement query = statement(COUNT);
        query.setBytes(1, lo);
        query.setBytes(2, hi);
        query.setLong(3, revision);
        query.setLong(4, revision);
        try (ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The changes to keys in [lo, hi) in (after, upTo], in revision order, at most {@code limit}. */
    List<WatchEvent> events(byte[] lo, byte[] hi, long after, long upTo, int limit) throws SQLException {
        PreparedStatement query = statement(EVENTS);
        query.setLong(1, after);
        query.setLong(2, upTo);
        query.setBytes(3, lo);
        query.setBytes(4, hi);
        query.setInt(5, limit);
        List<WatchEvent> events = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                long revision = rows.getLong(1);
                String key = Keys.string(rows.getBytes(2));
                long createRevision = rows.getLong(3);
                long previousRevision = rows.getLong(6);
                // no previous row, or a delete, or one compacted away: nothing before this change
                KeyValue previous = rows.wasNull() || rows.getInt(8) != 0 ? null
                        : new KeyValue(key, rows.getBytes(9), rows.getLong(7), previousRevision);
                if (rows.getInt(4) != 0) {
                    events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, EMPTY, 0, revision), previous));
                } else if (createRevision == revision) {
                    events.add(new WatchEvent(WatchEvent.Type.CREATE,
                            new KeyValue(key, rows.getBytes(5), createRevision, revision), null));
                } else {
                    events.add(new WatchEvent(WatchEvent.Type.UPDATE,
                            new KeyValue(key, rows.getBytes(5), createRevision, revision), previous));
                }
            }
        }
        return events;
    }

    /** A counter of the meta table, 0 if never written. */
    long meta(String name) throws SQLException {
        PreparedStatement query = statement(GET_META);
        query.setString(1, name);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    long maxRevision() throws SQLException {
        try (ResultSet rows = statement(MAX_REVISION).executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
