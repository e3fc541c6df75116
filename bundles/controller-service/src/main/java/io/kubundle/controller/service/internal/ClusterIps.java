package io.kubundle.controller.service.internal;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * ClusterIP allocation as Kubernetes 1.31+ does it: an address is allocated by creating the
 * {@code networking.k8s.io/v1} IPAddress object named by it, with a parentRef to the Service. The
 * store refuses a second object of the same name, so two Services never get one address, whatever
 * the number of callers, threads or API servers; and the store being the truth, nothing is lost
 * when a process restarts. Addresses are freed by deleting the object (with a uid precondition, so
 * a newer allocation of the same address is never deleted by mistake).
 */
final class ClusterIps {
    /** An allocation as the store holds it. */
    record Entry(String ip, Owner owner, String uid, Instant created) {
    }

    /** Where allocations live: IPAddress objects in the API server, or a map in tests. */
    interface Store {
        Optional<Entry> find(String ip) throws Exception;

        /** Creates the allocation; false if the address is taken (the object exists). */
        boolean create(String ip, Owner owner) throws Exception;

        /** Deletes the allocation if it is still this one (same uid); nothing if gone. */
        void delete(Entry entry) throws Exception;

        List<Entry> list() throws Exception;
    }

    static final String ALLOCATED = "provided IP is already allocated";
    private static final int RANDOM_TRIES = 32;

    private final Cidr range;
    private final Store store;
    private final Random random;

    ClusterIps(Cidr range, Store store, Random random) {
        this.range = range;
        this.store = store;
        this.random = random;
    }

    Cidr range() {
        return range;
    }

    /** The address the {@code kubernetes} Service takes, never given at random. */
    String first() {
        return range.at(1);
    }

    /**
     * Allocates {@code requested}, or (null) a free address at random, to the owner. An address
     * already allocated to a Service of the same namespace and name belongs to an earlier Service
     * of that name that is gone (a create of a name that exists fails anyway): it is taken over.
     */
    String allocate(Owner owner, String requested) throws Exception {
        if (requested != null) {
            if (!range.isUsable(requested)) {
                throw new AllocationException("failed to allocate IP " + requested + ": the provided IP (" + requested
                        + ") is not in the valid range. The range of valid IPs is " + range);
            }
            if (!take(owner, requested)) {
                throw new AllocationException("failed to allocate IP " + requested + ": " + ALLOCATED);
            }
            return requested;
        }
        long usable = range.size() - 3; // without the network, the broadcast and the first address
        if (usable <= 0) {
            throw new AllocationException("failed to allocate a serviceIP: range is full");
        }
        for (int i = 0; i < RANDOM_TRIES; i++) {
            String candidate = range.at(2 + (long) (random.nextDouble() * usable));
            if (store.create(candidate, owner)) {
                return candidate;
            }
        }
        // a crowded range: walk it from a random point, skipping what is known to be taken
        Set<String> taken = new HashSet<>();
        for (Entry entry : store.list()) {
            taken.add(entry.ip());
        }
        long start = (long) (random.nextDouble() * usable);
        for (long i = 0; i < usable; i++) {
            String candidate = range.at(2 + (start + i) % usable);
            if (!taken.contains(candidate) && store.create(candidate, owner)) {
                return candidate;
            }
        }
        throw new AllocationException("failed to allocate a serviceIP: range is full");
    }

    private boolean take(Owner owner, String ip) throws Exception {
        if (store.create(ip, owner)) {
            return true;
        }
        Optional<Entry> existing = store.find(ip);
        if (existing.isEmpty()) {
            return store.create(ip, owner); // freed in between
        }
        if (!existing.get().owner().equals(owner)) {
            return false;
        }
        store.delete(existing.get());
        return store.create(ip, owner);
    }

    /** Frees the address if the owner holds it. */
    void releaseIfOwned(String ip, Owner owner) throws Exception {
        Optional<Entry> entry = store.find(ip);
        if (entry.isPresent() && entry.get().owner().equals(owner)) {
            store.delete(entry.get());
        }
    }

    /** Frees an allocation (only that one: a newer allocation of the address stays). */
    void release(Entry entry) throws Exception {
        store.delete(entry);
    }
}
