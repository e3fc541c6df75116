package io.kubundle.store.embedded.internal;

import io.kubundle.api.store.StoreException;

/** The store's directory is locked by another store: in this process, the instance being swapped out. */
final class StoreInUseException extends StoreException {
    private static final long serialVersionUID = 1L;

    StoreInUseException(String message) {
        super(message);
    }
}
