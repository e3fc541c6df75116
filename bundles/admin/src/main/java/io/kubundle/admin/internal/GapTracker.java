package io.kubundle.admin.internal;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measures, per service interface, how long no service was registered under it. Timestamps are
 * {@link System#nanoTime()} values passed in by the caller, so the accounting can be tested with
 * made-up times.
 */
final class GapTracker {
    private final Map<String, Interface> interfaces = new TreeMap<>();
    /** Service ids never come back once unregistered, so a late snapshot cannot resurrect one. */
    private final Set<Long> gone = new HashSet<>();
    private boolean finished;

    /** Every interface starts with no known service, so it is in a gap from {@code startNanos} on. */
    GapTracker(Collection<String> names, long startNanos) {
        for (String name : names) {
            interfaces.put(name, new Interface(startNanos));
        }
    }

    synchronized void registered(String name, long serviceId, long nanos) {
        Interface state = interfaces.get(name);
        if (finished || state == null || gone.contains(serviceId)) {
            return;
        }
        if (state.services.add(serviceId) && state.services.size() == 1) {
            state.gapNanos += Math.max(0, nanos - state.zeroSince);
        }
    }

    synchronized void unregistered(String name, long serviceId, long nanos) {
        gone.add(serviceId);
        Interface state = interfaces.get(name);
        if (finished || state == null) {
            return;
        }
        if (state.services.remove(serviceId) && state.services.isEmpty()) {
            state.zeroSince = nanos;
        }
    }

    /** Closes every open gap at {@code endNanos}; returns the gap per interface in milliseconds. */
    synchronized Map<String, Double> finish(long endNanos) {
        finished = true;
        Map<String, Double> gaps = new TreeMap<>();
        for (Map.Entry<String, Interface> entry : interfaces.entrySet()) {
            Interface state = entry.getValue();
            long gap = state.gapNanos;
            if (state.services.isEmpty()) {
                gap += Math.max(0, endNanos - state.zeroSince);
            }
            gaps.put(entry.getKey(), toMillis(gap));
        }
        return gaps;
    }

    /** Milliseconds with microsecond precision. */
    static double toMillis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private static final class Interface {
        final Set<Long> services = new HashSet<>();
        long zeroSince;
        long gapNanos;

        Interface(long startNanos) {
            zeroSince = startNanos;
        }
    }
}
