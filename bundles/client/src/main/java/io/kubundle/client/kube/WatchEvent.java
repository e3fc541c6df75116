package io.kubundle.client.kube;

/**
 * One change a watch reports.
 *
 * @param type {@code ADDED}, {@code MODIFIED}, {@code DELETED} or {@code BOOKMARK}
 * @param namespace the object's namespace, empty for cluster-scoped objects and bookmarks
 * @param name the object's name, empty for bookmarks
 * @param resourceVersion the revision of the change: where to resume after it
 * @param object the object after the change (for DELETED its last state); null for bookmarks
 */
public record WatchEvent<T>(String type, String namespace, String name, String resourceVersion, T object) {
    public static final String ADDED = "ADDED";
    public static final String MODIFIED = "MODIFIED";
    public static final String DELETED = "DELETED";
    public static final String BOOKMARK = "BOOKMARK";

    /** {@code namespace/name}, or {@code name} for cluster-scoped objects: the key caches and work queues use. */
    public String key() {
        return ObjectKey.of(namespace, name);
    }
}
