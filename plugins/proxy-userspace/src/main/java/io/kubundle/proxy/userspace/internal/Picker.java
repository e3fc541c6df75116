package io.kubundle.proxy.userspace.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Chooses the endpoint of each new connection (or UDP session) of one service port: round robin
 * over the ready endpoints; with ClientIP affinity, a client that came within the timeout gets the
 * endpoint it had, as long as that endpoint is still there. Thread-safe: event loops call
 * {@link #choose} for every new connection, the sync thread calls {@link #setEndpoints}.
 */
final class Picker {
    private final LongSupplier clockMillis;
    private List<InetSocketAddress> endpoints = List.of();
    private int next;
    private long affinityMillis;
    private final Map<InetAddress, Sticky> sticky = new HashMap<>();
    private int choicesSincePrune;

    private record Sticky(InetSocketAddress endpoint, long lastMillis) {
    }

    Picker(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /**
     * The endpoints from now on, and the affinity timeout (0: none). Connections already made are
     * not touched; clients stuck to an endpoint that left choose again. A repeat call with the same
     * endpoints keeps the round robin where it was.
     */
    synchronized void setEndpoints(List<InetSocketAddress> ready, int affinitySeconds) {
        if (!ready.equals(endpoints)) {
            endpoints = List.copyOf(ready);
            next = endpoints.isEmpty() ? 0 : next % endpoints.size();
        }
        affinityMillis = Math.max(0, affinitySeconds) * 1000L;
        if (affinityMillis == 0) {
            sticky.clear();
        } else {
            sticky.values().removeIf(s -> !endpoints.contains(s.endpoint()));
        }
    }

    synchronized List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /** The endpoint for a new connection from {@code client}; null when there is none. */
    synchronized InetSocketAddress choose(InetAddress client) {
        if (endpoints.isEmpty()) {
            return null;
        }
        long now = clockMillis.getAsLong();
        if (affinityMillis > 0) {
            Sticky known = sticky.get(client);
            if (known != null && now - known.lastMillis() <= affinityMillis && endpoints.contains(known.endpoint())) {
                sticky.put(client, new Sticky(known.endpoint(), now));
                return known.endpoint();
            }
        }
        InetSocketAddress chosen = endpoints.get(next);
        next = (next + 1) % endpoints.size();
        if (affinityMillis > 0) {
            sticky.put(client, new Sticky(chosen, now));
            if (++choicesSincePrune >= 1024) {
                prune(now);
            }
        }
        return chosen;
    }

    /** Forgets clients whose affinity expired (so the map does not grow with every client ever seen). */
    private void prune(long now) {
        choicesSincePrune = 0;
        for (Iterator<Sticky> it = sticky.values().iterator(); it.hasNext();) {
            if (now - it.next().lastMillis() > affinityMillis) {
                it.remove();
            }
        }
    }

    synchronized int stickyClients() {
        return sticky.size();
    }
}
