package io.kubundle.controller.gc.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who owns whom, by uid, as the informers last saw it: every object (with its owner references
 * and deletion state) and, for each owner uid, the objects that name it. Thread-safe: informers of
 * different types update it from their own threads.
 */
final class OwnerGraph {
    /** An owner reference: the owner's identity as the dependent names it. */
    record OwnerRef(String apiVersion, String kind, String name, String uid, boolean blockOwnerDeletion) {
    }

    /**
     * One object.
     *
     * @param resource the resource it was read from ({@code apps/v1/replicasets}): where to delete or update it
     * @param deleting it has a deletionTimestamp
     * @param finalizers its finalizers
     */
    record Node(String uid, String resource, String apiVersion, String kind, String namespace, String name, List<OwnerRef> owners,
            boolean deleting, List<String> finalizers) {
        boolean waitsFor(String finalizer) {
            return deleting && finalizers.contains(finalizer);
        }
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, Set<String>> dependents = new HashMap<>();

    /** Records an object as it now is; returns the node it replaced, or null. */
    synchronized Node put(Node node) {
        Node old = nodes.put(node.uid(), node);
        if (old != null) {
            unlink(old);
        }
        for (OwnerRef owner : node.owners()) {
            dependents.computeIfAbsent(owner.uid(), uid -> new HashSet<>()).add(node.uid());
        }
        return old;
    }

    /** Forgets an object; returns what was known of it, or null. */
    synchronized Node remove(String uid) {
        Node old = nodes.remove(uid);
        if (old != null) {
            unlink(old);
        }
        return old;
    }

    private void unlink(Node node) {
        for (OwnerRef owner : node.owners()) {
            Set<String> uids = dependents.get(owner.uid());
            if (uids != null) {
                uids.remove(node.uid());
                if (uids.isEmpty()) {
                    dependents.remove(owner.uid());
                }
            }
        }
    }

    synchronized Node get(String uid) {
        return nodes.get(uid);
    }

    /** The objects that name {@code uid} as an owner. */
    synchronized List<Node> dependentsOf(String uid) {
        List<Node> result = new ArrayList<>();
        for (String dependent : dependents.getOrDefault(uid, Set.of())) {
            Node node = nodes.get(dependent);
            if (node != null) {
                result.add(node);
            }
        }
        return result;
    }

    synchronized boolean contains(String uid) {
        return nodes.containsKey(uid);
    }

    synchronized int size() {
        return nodes.size();
    }
}
