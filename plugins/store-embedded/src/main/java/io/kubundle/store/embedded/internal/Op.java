package io.kubundle.store.embedded.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.store.StoreException;

/**
 * One write waiting for the writer thread. The writer decides its outcome inside the batch's
 * transaction and releases the caller only after the commit, so that no caller sees a result the
 * disk does not have.
 */
final class Op {
    enum Kind { CREATE, UPDATE, DELETE, COMPACT }

    final Kind kind;
    final String key;
    final byte[] keyBytes;
    final byte[] value;
    /** The expected mod revision of an update or delete, or the revision to compact at. */
    final long revision;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    // written by the writer thread before done completes, read by the caller after
    private Object result;
    private StoreException failure;

    private Op(Kind kind, String key, byte[] keyBytes, byte[] value, long revision) {
        this.kind = kind;
        this.key = key;
        this.keyBytes = keyBytes;
        this.value = value;
        this.revision = revision;
    }

    static Op create(String key, byte[] value) {
        return new Op(Kind.CREATE, key, Keys.key(key), Objects.requireNonNull(value, "value").clone(), 0);
    }

    static Op update(String key, byte[] value, long expectedModRevision) {
        return new Op(Kind.UPDATE, key, Keys.key(key), Objects.requireNonNull(value, "value").clone(), expectedModRevision);
    }

    static Op delete(String key, long expectedModRevision) {
        return new Op(Kind.DELETE, key, Keys.key(key), null, expectedModRevision);
    }

    static Op compact(long revision) {
        return new Op(Kind.COMPACT, null, null, null, revision);
    }

    void succeed(Object outcome) {
        result = outcome;
        failure = null;
    }

    void fail(StoreException cause) {
        result = null;
        failure = cause;
    }

    /** Releases the caller with the outcome decided last. */
    void complete() {
        done.complete(null);
    }

    Object await() throws StoreException {
        done.join();
        if (failure != null) {
            throw failure;
        }
        return result;
    }
}
