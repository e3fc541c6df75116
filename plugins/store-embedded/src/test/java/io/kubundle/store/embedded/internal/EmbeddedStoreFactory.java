package io.kubundle.store.embedded.internal;

import java.nio.file.Path;

import io.kubundle.api.store.Store;
import io.kubundle.itests.store.StoreFactory;

/** The embedded store with its default options, for the conformance suite and its crash writer. */
public final class EmbeddedStoreFactory implements StoreFactory {
    public EmbeddedStoreFactory() {
        // the crash test creates it by name
    }

    @Override
    public Store open(Path dir) throws Exception {
        return SqliteStore.open(dir, Options.DEFAULTS);
    }

    @Override
    public void close(Store store) {
        ((SqliteStore) store).close();
    }
}
