package io.kubundle.runtime.support;

import java.io.IOException;
import java.time.Duration;

/** Polls a condition every 10 ms: what a runtime waits for is a file a detached shim writes. */
public final class Await {
    private Await() {
    }

    /** A condition polled until it holds. */
    @FunctionalInterface
    public interface Condition {
        boolean holds();
    }

    /** Waits until the condition holds; fails after the timeout, naming what it waited for. */
    public static void until(Condition condition, Duration timeout, String what) throws IOException {
        if (!quietly(condition, timeout)) {
            throw new IOException("timed out waiting for " + what);
        }
    }

    /** Waits until the condition holds or the timeout passes (or the thread is interrupted): whether it holds. */
    public static boolean quietly(Condition condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
