package io.kubundle.kubelet.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's back-off for restarting a crashed container or retrying a failed image pull: the
 * first retry is at once, then 10 s doubling to 5 min; an entry not used for twice the maximum is
 * forgotten, so a container that ran well for ten minutes restarts at once again.
 */
final class Backoff {
    static final Duration INITIAL = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);

    private record Entry(Duration delay, Instant lastUpdate) { }

    private final Duration initial;
    private final Duration max;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    Backoff() {
        this(INITIAL, MAX);
    }

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /**
     * How long to wait still before retrying {@code key}, whose last failure was at
     * {@code failedAt}: zero when the retry may go now.
     */
    Duration remaining(String key, Instant failedAt, Instant now) {
        Entry entry = current(key, now);
        if (entry == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, failedAt.plus(entry.delay()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The delay in force for {@code key} (zero when none). */
    Duration delay(String key, Instant now) {
        Entry entry = current(key, now);
        return entry == null ? Duration.ZERO : entry.delay();
    }

    /** Records a retry: the next one waits twice as long, up to the maximum. */
    void retried(String key, Instant now) {
        entries.compute(key, (k, entry) -> {
            if (entry == null || stale(entry, now)) {
                return new Entry(initial, now);
            }
            Duration doubled = entry.delay().multipliedBy(2);
            return new Entry(doubled.compareTo(max) > 0 ? max : doubled, now);
        });
    }

    /** Forgets every key starting with {@code prefix} (a pod that is gone). */
    void forgetPrefix(String prefix) {
        entries.keySet().removeIf(key -> key.startsWith(prefix));
    }

    private Entry current(String key, Instant now) {
        Entry entry = entries.get(key);
        if (entry != null && stale(entry, now)) {
            entries.remove(key, entry);
            return null;
        }
        return entry;
    }

    private boolean stale(Entry entry, Instant now) {
        return Duration.between(entry.lastUpdate(), now).compareTo(max.multipliedBy(2)) > 0;
    }
}
