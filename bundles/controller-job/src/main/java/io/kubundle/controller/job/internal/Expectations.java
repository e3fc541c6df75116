package io.kubundle.controller.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Kubernetes' ControllerExpectations, by pod name: what a controller created or deleted and its
 * informer has not shown yet. While any is pending, the controller neither creates nor deletes
 * for that owner, so a lagging cache never makes it create a pod twice. Pending entries expire
 * after five minutes (a watch event lost for good), as in Kubernetes. Thread-safe; keys are owner
 * uids.
 */
final class Expectations {
    static final Duration EXPIRY = Duration.ofMinutes(5);

    private final Map<String, Map<String, Instant>> creations = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Instant>> deletions = new ConcurrentHashMap<>();

    void expectCreation(String owner, String name, Instant now) {
        creations.computeIfAbsent(owner, k -> new ConcurrentHashMap<>()).put(name, now);
    }

    void expectDeletion(String owner, String name, Instant now) {
        deletions.computeIfAbsent(owner, k -> new ConcurrentHashMap<>()).put(name, now);
    }

    /** A creation or deletion that failed: nothing to wait for. */
    void forget(String owner, String name) {
        for (Map<String, Map<String, Instant>> pending : List.of(creations, deletions)) {
            Map<String, Instant> names = pending.get(owner);
            if (names != null) {
                names.remove(name);
            }
        }
    }

    /**
     * Whether all the owner's creations are seen ({@code created} true of the name) and all its
     * deletions too ({@code gone} true of it); what is seen is forgotten.
     */
    boolean satisfied(String owner, Predicate<String> created, Predicate<String> gone, Instant now) {
        boolean done = settle(creations.get(owner), created, now);
        return settle(deletions.get(owner), gone, now) && done;
    }

    private static boolean settle(Map<String, Instant> pending, Predicate<String> seen, Instant now) {
        if (pending == null) {
            return true;
        }
        pending.entrySet().removeIf(e -> seen.test(e.getKey()) || !now.isBefore(e.getValue().plus(EXPIRY)));
        return pending.isEmpty();
    }

    /** The owner is gone: drop what was expected of it. */
    void remove(String owner) {
        creations.remove(owner);
        deletions.remove(owner);
    }
}
