package io.kubundle.controller.replicaset.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Kubernetes' slowStartBatch: does {@code count} calls in batches of 1, 2, 4, ... (each batch in
 * parallel), and stops at the first batch with a failure, so a quota or admission error costs one
 * failed call rather than hundreds.
 */
final class SlowStart {
    private SlowStart() {
    }

    /** The sizes of the batches for {@code count} calls starting with {@code initial}. */
    static List<Integer> batches(int count, int initial) {
        List<Integer> sizes = new ArrayList<>();
        int remaining = count;
        int size = Math.min(remaining, initial);
        while (size > 0) {
            sizes.add(size);
            remaining -= size;
            size = Math.min(2 * size, remaining);
        }
        return sizes;
    }

    /**
     * Runs the batches and returns how many calls succeeded; the calls of the batches not run are
     * not made. The first failure is kept in {@code failures}.
     */
    static int run(int count, int initial, ExecutorService executor, Callable<Void> call, List<Exception> failures)
            throws InterruptedException {
        int successes = 0;
        for (int size : batches(count, initial)) {
            List<Future<Void>> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(executor.submit(call));
            }
            boolean failed = false;
            for (Future<Void> future : batch) {
                try {
                    future.get();
                    successes++;
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = true;
                    failures.add(e.getCause() instanceof Exception cause ? cause : e);
                }
            }
            if (failed) {
                break;
            }
        }
        return successes;
    }
}
