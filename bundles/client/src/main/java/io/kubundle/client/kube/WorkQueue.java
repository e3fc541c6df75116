package io.kubundle.client.kube;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue controllers work from, with client-go's guarantees: a key is queued at most once
 * however often it is added; a key being processed is not handed to a second worker, and if it is
 * added meanwhile it comes back once {@link #done} is called; keys can wait a delay or the rate
 * limiter's back-off before they are queued.
 */
public final class WorkQueue<K> implements AutoCloseable {
    private final RateLimiter<K> limiter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<K> queue = new ArrayDeque<>();
    /** Keys that need processing: queued, or added again while being processed. */
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final ScheduledExecutorService delays;
    private boolean shutDown;

    public WorkQueue(String name, RateLimiter<K> limiter) {
        this.limiter = limiter;
        this.delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "workqueue-" + name + "-delays");
            thread.setDaemon(true);
            return thread;
        });
    }

    public WorkQueue(String name) {
        this(name, RateLimiter.defaultLimiter());
    }

    /** Queues the key unless it is queued already. */
    public void add(K key) {
        lock.lock();
        try {
            if (shutDown || !dirty.add(key)) {
                return;
            }
            if (!processing.contains(key)) {
                queue.addLast(key);
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues the key after a delay. */
    public void addAfter(K key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shutDown) {
                return;
            }
            delays.schedule(() -> add(key), delay.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** Queues the key after the rate limiter's back-off for it: the way to retry a failure. */
    public void addRateLimited(K key) {
        addAfter(key, limiter.when(key));
    }

    /** The key succeeded: its back-off starts again from the shortest. */
    public void forget(K key) {
        limiter.forget(key);
    }

    /** How often the key has been retried through {@link #addRateLimited} since it was last forgotten. */
    public int retries(K key) {
        return limiter.retries(key);
    }

    /**
     * The next key to process, waiting for one; null once the queue is shut down. The caller
     * owns the key until it calls {@link #done}.
     */
    public K take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !shutDown) {
                available.await();
            }
            if (shutDown) {
                return null;
            }
            K key = queue.removeFirst();
            processing.add(key);
            dirty.remove(key);
            return key;
        } finally {
            lock.unlock();
        }
    }

    /** Processing of the key ended; if it was added meanwhile it is queued again. */
    public void done(K key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key) && !shutDown) {
                queue.addLast(key);
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting to be taken. */
    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the queue: {@link #take} returns null, adds are ignored, delayed keys are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            shutDown = true;
            queue.clear();
            dirty.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        delays.shutdownNow();
    }
}
