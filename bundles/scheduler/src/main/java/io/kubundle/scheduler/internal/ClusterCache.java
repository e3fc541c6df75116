package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;

/**
 * The scheduler's view of the cluster, kube-scheduler's cache: every node with the pods bound to
 * it, and the pods the scheduler has <em>assumed</em> there (decided, binding not yet seen), so that
 * the next decision counts them. An assumed pod becomes a bound one when the informer shows it
 * bound; a binding that fails forgets it; one that succeeded but is never seen (the pod was deleted
 * meanwhile) expires {@link #ASSUMED_TTL_MILLIS} after the binding finished. NodeInfos are
 * immutable: each change makes a new one for its node, so a {@link #snapshot()} is a copy of an
 * array of references. Thread-safe (one lock; every operation is short).
 */
final class ClusterCache {
    static final long ASSUMED_TTL_MILLIS = 30_000;

    private static final class Entry {
        final String name;
        NodeInfo base;
        NodeInfo info;
        final Map<String, PodInfo> pods = new LinkedHashMap<>();
        int index = -1;

        Entry(String name) {
            this.name = name;
        }
    }

    private static final class Assumed {
        final String node;
        long deadline = Long.MAX_VALUE;

        Assumed(String node) {
            this.node = node;
        }
    }

    private final Map<String, Entry> nodes = new HashMap<>();
    private final List<Entry> present = new ArrayList<>();
    private final Map<String, String> podNode = new HashMap<>();
    private final Map<String, Assumed> assumed = new HashMap<>();
    private int affinityPods;
    private int requiredAntiAffinityPods;

    /** Adds or replaces a node (its own fields; its pods stay). */
    synchronized void putNode(NodeInfo node) {
        Entry entry = nodes.computeIfAbsent(node.name(), Entry::new);
        entry.base = node;
        entry.info = node.toBuilder().pods(new ArrayList<>(entry.pods.values())).build();
        if (entry.index < 0) {
            entry.index = present.size();
            present.add(entry);
        } else {
            present.set(entry.index, entry);
        }
    }

    synchronized void removeNode(String name) {
        Entry entry = nodes.get(name);
        if (entry == null) {
            return;
        }
        if (entry.index >= 0) {
            Entry last = present.remove(present.size() - 1);
            if (last != entry) {
                present.set(entry.index, last);
                last.index = entry.index;
            }
            entry.index = -1;
        }
        entry.base = null;
        entry.info = null;
        if (entry.pods.isEmpty()) {
            nodes.remove(name);
        }
    }

    /**
     * A pod the API server shows bound to a node (and not finished): adds or replaces it, and
     * confirms it if it was assumed.
     */
    synchronized void putPod(PodInfo pod) {
        assumed.remove(pod.uid());
        String previous = podNode.get(pod.uid());
        if (previous != null) {
            removeFrom(previous, pod.uid());
        }
        addTo(pod.nodeName(), pod);
    }

    /** A pod that is gone, or finished, or no longer bound: removes it (assumed or not). */
    synchronized void removePod(String uid) {
        assumed.remove(uid);
        String node = podNode.get(uid);
        if (node != null) {
            removeFrom(node, uid);
        }
    }

    /** The scheduler decided: the pod (its nodeName set) counts on its node from now on. */
    synchronized void assume(PodInfo pod) {
        if (podNode.containsKey(pod.uid())) {
            throw new IllegalStateException("pod " + pod + " is already in the cache");
        }
        assumed.put(pod.uid(), new Assumed(pod.nodeName()));
        addTo(pod.nodeName(), pod);
    }

    /** The binding of an assumed pod succeeded: it expires unless the informer shows it in time. */
    synchronized void finishBinding(String uid, long nowMillis) {
        Assumed entry = assumed.get(uid);
        if (entry != null) {
            entry.deadline = nowMillis + ASSUMED_TTL_MILLIS;
        }
    }

    /** The binding failed (or was never tried): the assumed pod is dropped. */
    synchronized void forget(String uid) {
        Assumed entry = assumed.remove(uid);
        if (entry != null) {
            removeFrom(entry.node, uid);
        }
    }

    synchronized boolean isAssumed(String uid) {
        return assumed.containsKey(uid);
    }

    /** Whether the pod is in the cache, bound or assumed. */
    synchronized boolean contains(String uid) {
        return podNode.containsKey(uid);
    }

    /** Drops assumed pods whose binding finished long ago but never showed up; returns how many. */
    synchronized int expire(long nowMillis) {
        int expired = 0;
        for (Iterator<Map.Entry<String, Assumed>> it = assumed.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Assumed> entry = it.next();
            if (entry.getValue().deadline < nowMillis) {
                it.remove();
                removeFrom(entry.getValue().node, entry.getKey());
                expired++;
            }
        }
        return expired;
    }

    synchronized Snapshot snapshot() {
        NodeInfo[] infos = new NodeInfo[present.size()];
        for (int i = 0; i < infos.length; i++) {
            infos[i] = present.get(i).info;
        }
        return new Snapshot(infos, affinityPods > 0, requiredAntiAffinityPods > 0);
    }

    synchronized int nodeCount() {
        return present.size();
    }

    synchronized int podCount() {
        return podNode.size();
    }

    synchronized int assumedCount() {
        return assumed.size();
    }

    private void addTo(String nodeName, PodInfo pod) {
        Entry entry = nodes.computeIfAbsent(nodeName, Entry::new);
        entry.pods.put(pod.uid(), pod);
        podNode.put(pod.uid(), nodeName);
        if (entry.info != null) {
            entry.info = entry.info.withPod(pod);
            present.set(entry.index, entry);
        }
        count(pod, 1);
    }

    private void removeFrom(String nodeName, String uid) {
        podNode.remove(uid);
        Entry entry = nodes.get(nodeName);
        if (entry == null) {
            return;
        }
        PodInfo removed = entry.pods.remove(uid);
        if (removed == null) {
            return;
        }
        count(removed, -1);
        if (entry.info != null) {
            entry.info = entry.info.withoutPod(uid);
        } else if (entry.pods.isEmpty()) {
            nodes.remove(nodeName);
        }
    }

    private void count(PodInfo pod, int delta) {
        if (pod.hasPodAffinity()) {
            affinityPods += delta;
            if (!pod.requiredAntiAffinity().isEmpty()) {
                requiredAntiAffinityPods += delta;
            }
        }
    }
}
