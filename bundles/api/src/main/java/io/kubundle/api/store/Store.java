package io.kubundle.api.store;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A revisioned key-value store with watch.
 *
 * <p>Contract, for implementers:
 * <ul>
 *   <li>Every method is thread-safe and may be called from many threads at once.</li>
 *   <li>Each successful write (create, update, delete) happens at exactly one new revision,
 *       greater than every earlier one, and is durable when the method returns: it survives a
 *       crash (kill -9) of the process right after.</li>
 *   <li>Reads at the latest revision see every write that has returned.</li>
 *   <li>Keys are non-empty strings without NUL; values are opaque bytes (JSON in practice).</li>
 *   <li>Conditional writes compare the key's {@link KeyValue#modRevision()}; a mismatch changes
 *       nothing and throws {@link ConflictException} carrying the current value.</li>
 *   <li>Revisions up to {@link #compactedRevision()} may have been forgotten: reading or watching
 *       from there throws {@link CompactedException}.</li>
 *   <li>Register the service with a {@code name} property ({@code embedded}, {@code etcd}, ...).</li>
 * </ul>
 */
@ConsumerType
public interface Store {

    /** Service property that names a store backend. */
    String NAME_PROPERTY = "name";

    /** The revision of the latest write (0 for an empty store). */
    long currentRevision() throws StoreException;

    /** The revision up to which history has been compacted (0 if never). */
    long compactedRevision() throws StoreException;

    /**
     * Creates a key that does not exist (or was deleted).
     *
     * @return the new entry, with create and mod revision both the new revision
     * @throws KeyExistsException if the key exists
     */
    KeyValue create(String key, byte[] value) throws StoreException;

    /** The latest value of a key, if it exists. */
    Optional<KeyValue> get(String key) throws StoreException;

    /**
     * Keys starting with {@code prefix}, in key order, as they were at {@code revision}.
     *
     * @param prefix the key prefix; an exact key is a prefix too
     * @param startAfter resume after this key (exclusive), or {@code null} from the first key
     * @param revision the revision to read at, or 0 for the latest
     * @param limit the most entries to return, or 0 for all
     * @return the entries, the revision they were read at, and whether more follow
     * @throws CompactedException if {@code revision} has been compacted
     */
    ListResult list(String prefix, String startAfter, long revision, int limit) throws StoreException;

    /** How many keys start with {@code prefix} now. */
    long count(String prefix) throws StoreException;

    /**
     * Replaces the value of a key whose mod revision is {@code expectedModRevision}.
     *
     * @return the new entry
     * @throws KeyNotFoundException if the key does not exist
     * @throws ConflictException if its mod revision differs
     */
    KeyValue update(String key, byte[] value, long expectedModRevision) throws StoreException;

    /**
     * Deletes a key, if its mod revision is {@code expectedModRevision} (0: whatever it is).
     *
     * @return the deleted entry as it was, and the revision of the deletion
     * @throws KeyNotFoundException if the key does not exist
     * @throws ConflictException if its mod revision differs
     */
    Deleted delete(String key, long expectedModRevision) throws StoreException;

    /**
     * Watches keys starting with {@code prefix}: the listener receives every change after
     * {@code afterRevision}, each exactly once, in revision order, with no gaps, then changes as
     * they happen. Delivery runs on a thread of the store; a listener must return quickly. A
     * watch the listener cannot keep up with is closed with {@link WatchListener#onClose}.
     *
     * @param afterRevision deliver events with revisions greater than this; the current revision
     *        for "from now on"
     * @throws CompactedException if events after {@code afterRevision} have been compacted
     */
    Watch watch(String prefix, long afterRevision, WatchListener listener) throws StoreException;

    /** Forgets history up to and including {@code revision}; the latest value of each key stays. */
    void compact(long revision) throws StoreException;
}
