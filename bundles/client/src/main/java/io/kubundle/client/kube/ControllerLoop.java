package io.kubundle.client.kube;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Workers that take keys from a {@link WorkQueue} and reconcile them: one worker per key at a
 * time, failures retried with the queue's back-off up to a limit, then dropped until the key is
 * added again (as client-go controllers do, so that one bad object does not spin forever).
 */
public final class ControllerLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControllerLoop.class.getName());

    private final String name;
    private final WorkQueue<String> queue;
    private final Reconciler reconciler;
    private final int maxRetries;
    private final List<Thread> workers = new ArrayList<>();

    /**
     * @param maxRetries failures of one key before it is dropped (client-go controllers use 5 to 15)
     */
    public ControllerLoop(String name, WorkQueue<String> queue, Reconciler reconciler, int maxRetries) {
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.maxRetries = maxRetries;
    }

    /** Starts {@code count} worker threads. */
    public void start(int count) {
        for (int i = 0; i < count; i++) {
            Thread worker = new Thread(this::work, name + "-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    private void work() {
        while (true) {
            String key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                return;
            }
            try {
                Duration again = reconciler.reconcile(key);
                queue.forget(key);
                if (again != null && !again.isZero()) {
                    queue.addAfter(key, again);
                }
            } catch (Exception e) {
                if (queue.retries(key) < maxRetries) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: retrying {1}: {2}", name, key, e.toString());
                    queue.addRateLimited(key);
                } else {
                    LOG.log(System.Logger.Level.WARNING, name + ": giving up on " + key + " after " + maxRetries + " retries", e);
                    queue.forget(key);
                }
            } finally {
                queue.done(key);
            }
        }
    }

    /** Shuts the queue down and waits for the workers to finish their current key. */
    @Override
    public void close() {
        queue.close();
        for (Thread worker : workers) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
