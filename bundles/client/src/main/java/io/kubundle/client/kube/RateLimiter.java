package io.kubundle.client.kube;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a key waits before its next try, as client-go's workqueue rate limiters decide. The
 * default is the larger of a per-key exponential back-off (5 ms doubling to 1000 s) and an
 * overall token bucket (10 per second, bursts of 100).
 */
public interface RateLimiter<K> {
    /** The delay before {@code key} is tried again; each call counts as one more failure. */
    Duration when(K key);

    /** The key succeeded: its failures are forgotten. */
    void forget(K key);

    /** How many times the key has failed since it was last forgotten. */
    int retries(K key);

    static <K> RateLimiter<K> defaultLimiter() {
        return max(exponential(Duration.ofMillis(5), Duration.ofSeconds(1000)), bucket(10, 100));
    }

    /** Per key: {@code base * 2^failures}, at most {@code cap}. */
    static <K> RateLimiter<K> exponential(Duration base, Duration cap) {
        Map<K, Integer> failures = new ConcurrentHashMap<>();
        return new RateLimiter<>() {
            @Override
            public Duration when(K key) {
                int count = failures.merge(key, 1, Integer::sum) - 1;
                double nanos = base.toNanos() * Math.pow(2, Math.min(count, 62));
                return nanos >= cap.toNanos() ? cap : Duration.ofNanos((long) nanos);
            }

            @Override
            public void forget(K key) {
                failures.remove(key);
            }

            @Override
            public int retries(K key) {
                return failures.getOrDefault(key, 0);
            }
        };
    }

    /** Overall: {@code perSecond} tokens a second, {@code burst} at most; a key waits for the next free token. */
    static <K> RateLimiter<K> bucket(double perSecond, int burst) {
        long interval = (long) (1_000_000_000L / perSecond);
        return new RateLimiter<>() {
            /** When the bucket is next empty of reservations, in nanoTime. */
            private long next = System.nanoTime() - burst * interval;

            @Override
            public synchronized Duration when(K key) {
                long now = System.nanoTime();
                next = Math.max(next, now - burst * interval) + interval;
                return next <= now ? Duration.ZERO : Duration.ofNanos(next - now);
            }

            @Override
            public void forget(K key) {
                // the bucket keeps no per-key state
            }

            @Override
            public int retries(K key) {
                return 0;
            }
        };
    }

    /** The longest delay either limiter asks for. */
    static <K> RateLimiter<K> max(RateLimiter<K> first, RateLimiter<K> second) {
        return new RateLimiter<>() {
            @Override
            public Duration when(K key) {
                Duration a = first.when(key);
                Duration b = second.when(key);
                return a.compareTo(b) >= 0 ? a : b;
            }

            @Override
            public void forget(K key) {
                first.forget(key);
                second.forget(key);
            }

            @Override
            public int retries(K key) {
                return Math.max(first.retries(key), second.retries(key));
            }
        };
    }
}
