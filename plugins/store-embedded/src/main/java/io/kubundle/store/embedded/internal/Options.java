package io.kubundle.store.embedded.internal;

/**
 * How a store runs; the component takes them from its configuration.
 *
 * @param maxBatch the most writes committed in one transaction, that is with one fsync
 * @param watchBuffer the most events a watch may have waiting before it is closed as too slow
 * @param watchThreads the threads that deliver watch events, shared by every watch
 * @param readConnections the SQLite connections that serve reads side by side
 */
record Options(int maxBatch, int watchBuffer, int watchThreads, int readConnections) {
    static final Options DEFAULTS = new Options(1000, 10_000, 2, 4);

    Options {
        if (maxBatch < 1 || watchBuffer < 1 || watchThreads < 1 || readConnections < 1) {
            throw new IllegalArgumentException("store options must be at least 1: " + this);
        }
    }
}
