package io.kubundle.store.embedded.internal;

/**
 * The two revisions every reader of the store needs. Only the writer thread changes them, and
 * {@code current} only while it holds the {@link WatchHub}'s lock, so that a new watch sees a
 * revision and the events after it as one.
 */
final class Revisions {
    /** The latest revision whose write is durable, visible to reads and offered to watches. */
    volatile long current;
    /** History up to and including this revision may be gone; never above {@code current}. */
    volatile long compacted;

    Revisions(long current, long compacted) {
        this.current = current;
        this.compacted = compacted;
    }
}
