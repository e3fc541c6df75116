package io.kubundle.itests.framework;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Objects;
import java.util.concurrent.Callable;

/** Polls until a condition holds: plugins arrive and leave on other threads (FileInstall, SCR). */
final class Await {
    private Await() {
    }

    static <T> T until(String what, Callable<T> probe, T expected) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.call();
            if (Objects.equals(last, expected)) {
                return last;
            }
            Thread.sleep(20);
        }
        fail(what + ": expected <" + expected + "> but was <" + last + "> after 20 s");
        return last;
    }
}
