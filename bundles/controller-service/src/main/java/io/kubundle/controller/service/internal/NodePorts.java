package io.kubundle.controller.service.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * NodePort allocation, as kube-apiserver's port allocator: one map of port to owning Service,
 * kept in a single object and written with compare-and-swap on its resourceVersion. Every
 * allocation reads the map, decides, and writes it back; a write that lost a race is refused by
 * the store and the allocation starts again on the new map, so two Services never get one port.
 * (An object per port, as ClusterIPs have, would need a resource type Kubernetes does not have; a
 * single small map is what Kubernetes itself keeps for ports.)
 */
final class NodePorts {
    /** Who holds a port, and since when (the repair loop leaves young allocations alone). */
    record Allocation(Owner owner, Instant at) {
    }

    /** The map and the version it was read at. */
    record Versioned(Map<Integer, Allocation> ports, String version) {
    }

    /** Where the map lives: a ConfigMap in the API server, or a field in tests. */
    interface Store {
        Versioned read() throws Exception;

        /** Writes the map if it is still at {@code version}; false if it changed since. */
        boolean write(Map<Integer, Allocation> ports, String version) throws Exception;
    }

    /**
     * One port of a Service that needs a node port.
     *
     * @param field where the port is, for errors ({@code spec.ports[0].nodePort})
     * @param requested the port asked for, 0 for any
     */
    record Request(String field, int requested) {
    }

    static final String ALLOCATED = "provided port is already allocated";
    private static final int MAX_CONFLICTS = 20;

    private final PortRange range;
    private final Store store;
    private final Random random;

    NodePorts(PortRange range, Store store, Random random) {
        this.range = range;
        this.store = store;
        this.random = random;
    }

    PortRange range() {
        return range;
    }

    /**
     * Gives each request a port (requests of one port number share it: a Service may use a node
     * port for TCP and UDP). {@code held} are the ports the stored Service has already: they are
     * its own, so asking for them writes nothing.
     *
     * @return the port of each request, in order
     * @throws AllocationException naming the first request that cannot be met, with Kubernetes' words
     */
    List<Integer> allocate(Owner owner, List<Request> requests, Set<Integer> held, Instant now) throws Exception {
        for (Request request : requests) {
            if (request.requested() != 0 && !range.contains(request.requested())) {
                throw new FieldException(request.field(), request.requested(), "provided port is not in the valid range. "
                        + "The range of valid ports is " + range);
            }
        }
        for (int attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
            Versioned current = store.read();
            Map<Integer, Allocation> next = new TreeMap<>(current.ports());
            boolean changed = false;
            List<Integer> given = new ArrayList<>();
            Set<Integer> mine = new HashSet<>();
            for (Request request : requests) {
                if (request.requested() == 0) {
                    continue;
                }
                Allocation holder = next.get(request.requested());
                if (holder != null && !holder.owner().equals(owner)) {
                    throw new FieldException(request.field(), request.requested(), ALLOCATED);
                }
                mine.add(request.requested());
                if (holder == null || !held.contains(request.requested())) {
                    next.put(request.requested(), new Allocation(owner, now));
                    changed = true;
                }
            }
            for (Request request : requests) {
                if (request.requested() != 0) {
                    given.add(request.requested());
                    continue;
                }
                int port = free(next, mine::contains);
                if (port < 0) {
                    throw new FieldException(request.field(), 0, "range is full: no free node port in " + range);
                }
                next.put(port, new Allocation(owner, now));
                mine.add(port);
                given.add(port);
                changed = true;
            }
            if (!changed || store.write(next, current.version())) {
                return given;
            }
        }
        throw new IllegalStateException("the node port allocations changed " + MAX_CONFLICTS + " times while allocating; try again");
    }

    /** A free port at random, else the first free one from a random point; -1 if none. */
    private int free(Map<Integer, Allocation> taken, Predicate<Integer> mine) {
        for (int i = 0; i < 32; i++) {
            int port = range.first() + random.nextInt(range.size());
            if (!taken.containsKey(port)) {
                return port;
            }
        }
        int start = random.nextInt(range.size());
        for (int i = 0; i < range.size(); i++) {
            int port = range.first() + (start + i) % range.size();
            if (!taken.containsKey(port) && !mine.test(port)) {
                return port;
            }
        }
        return -1;
    }

    /**
     * Frees the ports {@code stale} picks (given the port and its allocation), in one write.
     *
     * @return the ports freed
     */
    Map<Integer, Allocation> release(java.util.function.BiPredicate<Integer, Allocation> stale) throws Exception {
        for (int attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
            Versioned current = store.read();
            Map<Integer, Allocation> next = new TreeMap<>(current.ports());
            Map<Integer, Allocation> freed = new LinkedHashMap<>();
            current.ports().forEach((port, allocation) -> {
                if (stale.test(port, allocation)) {
                    next.remove(port);
                    freed.put(port, allocation);
                }
            });
            if (freed.isEmpty() || store.write(next, current.version())) {
                return freed;
            }
        }
        throw new IllegalStateException("the node port allocations changed " + MAX_CONFLICTS + " times while releasing");
    }

    /** A request that cannot be met, for the field it came from. */
    static final class FieldException extends AllocationException {
        private static final long serialVersionUID = 1L;
        private final String field;
        private final int value;

        FieldException(String field, int value, String message) {
            super(message);
            this.field = field;
            this.value = value;
        }

        String field() {
            return field;
        }

        int value() {
            return value;
        }
    }
}
