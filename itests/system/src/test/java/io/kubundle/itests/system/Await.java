package io.kubundle.itests.system;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling for a condition, as the system tests wait for the cluster. */
final class Await {
    private Await() {
    }

    /**
     * Polls every 200 ms for up to {@code seconds}; on time-out fails with {@code what}, computed
     * then so that it may describe the cluster as it is.
     */
    static void until(BooleanSupplier condition, Supplier<String> what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what.get());
            }
            Thread.sleep(200);
        }
    }
}
