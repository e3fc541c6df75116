package io.kubundle.client.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class WorkQueueTest {
    @Test
    void aKeyAddedTwiceIsQueuedOnce() throws Exception {
        try (WorkQueue<String> queue = new WorkQueue<>("t")) {
            queue.add("a");
            queue.add("b");
            queue.add("a");
            assertEquals(2, queue.size());
            assertEquals("a", queue.take());
            assertEquals("b", queue.take());
            assertEquals(0, queue.size());
        }
    }

    @Test
    void aKeyInProcessIsNotHandedOutAgainUntilDone() throws Exception {
        try (WorkQueue<String> queue = new WorkQueue<>("t")) {
            queue.add("a");
            String taken = queue.take();
            queue.add("a");
            assertEquals(0, queue.size(), "a key being processed waits for done()");
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                second.get(200, TimeUnit.MILLISECONDS);
                throw new AssertionError("a second worker got the key while the first still had it");
            } catch (TimeoutException expected) {
                // right: nothing to take yet
            }
            queue.done(taken);
            assertEquals("a", second.get(5, TimeUnit.SECONDS), "added while processed, so queued again once done");
        }
    }

    @Test
    void doneWithoutANewAddLeavesTheQueueEmpty() throws Exception {
        try (WorkQueue<String> queue = new WorkQueue<>("t")) {
            queue.add("a");
            queue.done(queue.take());
            assertEquals(0, queue.size());
        }
    }

    @Test
    void addAfterQueuesOnceTheDelayHasPassed() throws Exception {
        try (WorkQueue<String> queue = new WorkQueue<>("t")) {
            long start = System.nanoTime();
            queue.addAfter("later", Duration.ofMillis(150));
            assertEquals(0, queue.size());
            assertEquals("later", queue.take());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(140), "not before the delay");
        }
    }

    @Test
    void closeReleasesWaitingWorkers() throws Exception {
        WorkQueue<String> queue = new WorkQueue<>("t");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        queue.close();
        assertNull(waiting.get(5, TimeUnit.SECONDS));
        queue.add("ignored");
        assertEquals(0, queue.size());
    }

    @Test
    void controllerLoopRetriesFailuresWithBackOffThenForgets() throws Exception {
        List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        WorkQueue<String> queue = new WorkQueue<>("t", RateLimiter.exponential(Duration.ofMillis(1), Duration.ofMillis(10)));
        try (ControllerLoop loop = new ControllerLoop("t", queue, key -> {
            calls.add(key);
            if (calls.size() < 3) {
                throw new IllegalStateException("not yet");
            }
            return Duration.ZERO;
        }, 5)) {
            loop.start(2);
            queue.add("k");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (calls.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertEquals(List.of("k", "k", "k"), calls, "two failures, then success, then nothing more");
            assertEquals(0, queue.retries("k"), "success forgets the failures");
        }
    }

    @Test
    void controllerLoopGivesUpAfterMaxRetries() throws Exception {
        List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        WorkQueue<String> queue = new WorkQueue<>("t", RateLimiter.exponential(Duration.ofMillis(1), Duration.ofMillis(5)));
        try (ControllerLoop loop = new ControllerLoop("t", queue, key -> {
            calls.add(key);
            throw new IllegalStateException("always");
        }, 3)) {
            loop.start(1);
            queue.add("bad");
            Thread.sleep(500);
            assertEquals(4, calls.size(), "the first try and three retries");
        }
    }
}
