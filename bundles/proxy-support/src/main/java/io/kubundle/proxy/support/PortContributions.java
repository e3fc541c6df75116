package io.kubundle.proxy.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * What each service port contributes to a proxy's rules, made again only for ports whose
 * {@link ServicePort} or endpoints changed since the last {@link #compute}: an unchanged port
 * gives the very same object, so a diff can compare by identity first. Not thread-safe: one sync
 * at a time.
 *
 * @param <C> what one port contributes
 */
public final class PortContributions<C> {
    private record Cached<C>(ServicePort port, List<Endpoint> endpoints, C contribution) {
    }

    private final BiFunction<ServicePort, List<Endpoint>, C> make;
    private Map<String, Cached<C>> cache = new HashMap<>();

    /** @param make what a port contributes, from the port and its endpoints (all of them: the maker picks the usable ones) */
    public PortContributions(BiFunction<ServicePort, List<Endpoint>, C> make) {
        this.make = make;
    }

    /** The contributions of these ports (keyed as {@link ServiceModel#key}), in key order; forgets ports that are gone. */
    public List<C> compute(Map<String, ServicePort> ports, Map<String, List<Endpoint>> endpoints) {
        Map<String, Cached<C>> next = new HashMap<>(ports.size() * 2);
        List<C> out = new ArrayList<>(ports.size());
        for (String key : new TreeSet<>(ports.keySet())) {
            ServicePort port = ports.get(key);
            List<Endpoint> eps = endpoints.getOrDefault(key, List.of());
            Cached<C> cached = cache.get(key);
            if (cached == null || !cached.port().equals(port) || !cached.endpoints().equals(eps)) {
                cached = new Cached<>(port, eps, make.apply(port, eps));
            }
            next.put(key, cached);
            out.add(cached.contribution());
        }
        cache = next;
        return out;
    }
}
