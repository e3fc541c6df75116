package io.kubundle.api.store;

/**
 * One change seen by a watch.
 *
 * @param type what happened
 * @param current the entry after the change; for a delete, the key with an empty value at the
 *        deletion's revision (its {@code modRevision})
 * @param previous the entry before the change, or {@code null} for a create
 */
public record WatchEvent(Type type, KeyValue current, KeyValue previous) {

    /** The kinds of change. */
    public enum Type { CREATE, UPDATE, DELETE }

    /** The revision of the change. */
    public long revision() {
        return current.modRevision();
    }
}
