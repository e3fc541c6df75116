package io.kubundle.client.kube;

/**
 * What an informer tells its handlers, in the order changes happened, on the informer's thread.
 * Handlers should only note the change (enqueue a key) and return: the informer waits for them.
 * Objects are the cache's own: copy before changing one.
 */
public interface ResourceHandler<T> {
    /** An object appeared (or was there when the handler joined). */
    default void onAdd(T object) {
    }

    /** An object changed; also called with {@code oldObject == newObject} at every resync. */
    default void onUpdate(T oldObject, T newObject) {
    }

    /** An object went away; {@code lastKnown} is its last state the informer saw. */
    default void onDelete(T lastKnown) {
    }
}
