package io.kubundle.controller.daemonset.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' ControllerExpectations, by name: the pods a worker created or deleted for a set
 * that the informer has not shown yet. While any are outstanding the set's pods in the cache are
 * not to be trusted, and the worker does not create or delete (so a lagging cache never makes it
 * create a second pod for a node). Expectations lapse after a timeout, as Kubernetes' do (5
 * minutes), in case a watch event is never seen. Thread-safe.
 */
final class Expectations {
    private static final long TIMEOUT_NANOS = Duration.ofMinutes(5).toNanos();

    private record Pending(Set<String> creations, Set<String> deletions, long since) {
    }

    private final Map<String, Pending> bySet = new ConcurrentHashMap<>();

    /** Whether the cache has shown everything the set's worker did. */
    boolean satisfied(String setKey) {
        Pending pending = bySet.get(setKey);
        if (pending == null) {
            return true;
        }
        synchronized (pending) {
            if ((pending.creations().isEmpty() && pending.deletions().isEmpty()) || System.nanoTime() - pending.since() > TIMEOUT_NANOS) {
                bySet.remove(setKey, pending);
                return true;
            }
            return false;
        }
    }

    void expectCreation(String setKey, String podName) {
        pending(setKey, creations -> creations.add(podName), true);
    }

    void expectDeletion(String setKey, String podName) {
        pending(setKey, deletions -> deletions.add(podName), false);
    }

    /** The informer showed the pod. */
    void observedCreation(String setKey, String podName) {
        Pending pending = bySet.get(setKey);
        if (pending != null) {
            synchronized (pending) {
                pending.creations().remove(podName);
            }
        }
    }

    /** The informer showed the pod terminating or gone. */
    void observedDeletion(String setKey, String podName) {
        Pending pending = bySet.get(setKey);
        if (pending != null) {
            synchronized (pending) {
                pending.deletions().remove(podName);
            }
        }
    }

    void forget(String setKey) {
        bySet.remove(setKey);
    }

    private void pending(String setKey, java.util.function.Consumer<Set<String>> change, boolean creation) {
        Pending pending = bySet.computeIfAbsent(setKey, k -> new Pending(new HashSet<>(), new HashSet<>(), System.nanoTime()));
        synchronized (pending) {
            change.accept(creation ? pending.creations() : pending.deletions());
        }
    }
}
