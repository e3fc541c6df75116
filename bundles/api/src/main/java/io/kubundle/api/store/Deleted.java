package io.kubundle.api.store;

/**
 * The result of a delete.
 *
 * @param previous the entry as it was before the deletion
 * @param revision the revision of the deletion
 */
public record Deleted(KeyValue previous, long revision) {
}
