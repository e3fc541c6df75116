package io.kubundle.itests.store;

import java.nio.file.Path;

import io.kubundle.api.store.Store;

/**
 * Opens and closes the backend under test. An implementation must be a public class with a public
 * no-arg constructor: the crash test creates one by name in a child JVM ({@link CrashWriter}).
 */
public interface StoreFactory {

    /** Opens (creating if needed) the store kept in {@code dir}. */
    Store open(Path dir) throws Exception;

    /** Closes a store this factory opened, releasing its files and threads. */
    void close(Store store) throws Exception;
}
