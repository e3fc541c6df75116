package io.kubundle.controller.daemonset.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubundle.controller.support.Pods;
import io.kubundle.controller.support.Revisions;

/**
 * What a DaemonSet needs done, worked out from its nodes and pods alone (no I/O): pods to create
 * (by node), pods to delete, and its status. Level-triggered: it looks at the whole state each
 * time and is right whatever happened before.
 */
final class DaemonSetPlan {
    /** A node, whether the set's pod belongs there, and the set's pods bound to it. */
    record NodeState(String node, NodeEligibility.Verdict verdict, List<Pod> pods) {
    }

    record Plan(List<String> createOn, List<Pod> delete) {
        boolean isEmpty() {
            return createOn.isEmpty() && delete.isEmpty();
        }
    }

    /** The counts of a DaemonSet's status. */
    record Counts(int desired, int current, int misscheduled, int ready, int available, int updated) {
    }

    private DaemonSetPlan() {
    }

    /**
     * @param rolling RollingUpdate (true) or OnDelete
     * @param orphans the set's pods on nodes that do not exist (deleted)
     */
    static Plan plan(List<NodeState> nodes, List<Pod> orphans, String hash, boolean rolling, int maxUnavailable, Duration minReady,
            Instant now) {
        List<String> createOn = new ArrayList<>();
        List<Pod> delete = new ArrayList<>(orphans.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList());
        int unavailable = 0;
        List<Pod> oldAvailable = new ArrayList<>();
        for (NodeState node : nodes) {
            List<Pod> running = new ArrayList<>();
            for (Pod pod : node.pods()) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                if (!Pods.isActive(pod)) {
                    // a failed (or finished) daemon pod is replaced, as Kubernetes does
                    delete.add(pod);
                } else {
                    running.add(pod);
                }
            }
            if (!node.verdict().shouldContinueRunning()) {
                delete.addAll(running);
                continue;
            }
            if (running.isEmpty()) {
                if (node.verdict().shouldRun()) {
                    createOn.add(node.node());
                    unavailable++;
                }
                continue;
            }
            running.sort(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                    .thenComparing(p -> p.getMetadata().getName()));
            // one pod a node: the oldest stays
            delete.addAll(running.subList(1, running.size()));
            Pod kept = running.get(0);
            if (!node.verdict().shouldRun()) {
                continue;
            }
            boolean available = Pods.isAvailable(kept, minReady, now);
            if (!available) {
                unavailable++;
            }
            if (rolling && !hash.equals(labelOf(kept))) {
                if (!available) {
                    // costs no availability to replace
                    delete.add(kept);
                } else {
                    oldAvailable.add(kept);
                }
            }
        }
        oldAvailable.sort(Comparator.comparing(p -> p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName()));
        for (Pod old : oldAvailable) {
            if (unavailable >= maxUnavailable) {
                break;
            }
            delete.add(old);
            unavailable++;
        }
        return new Plan(List.copyOf(createOn), List.copyOf(delete));
    }

    /** The status counts as Kubernetes defines them. */
    static Counts count(List<NodeState> nodes, String hash, Duration minReady, Instant now) {
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        for (NodeState node : nodes) {
            List<Pod> running = node.pods().stream().filter(Pods::isActive).toList();
            if (node.verdict().shouldRun()) {
                desired++;
            }
            if (running.isEmpty()) {
                continue;
            }
            if (!node.verdict().shouldRun()) {
                misscheduled++;
                continue;
            }
            current++;
            Pod pod = running.get(0);
            if (Pods.isReady(pod)) {
                ready++;
            }
            if (Pods.isAvailable(pod, minReady, now)) {
                available++;
            }
            if (running.stream().anyMatch(p -> hash.equals(labelOf(p)))) {
                updated++;
            }
        }
        return new Counts(desired, current, misscheduled, ready, available, updated);
    }

    static String labelOf(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Revisions.HASH_LABEL);
    }
}
