package io.kubundle.controller.deployment.internal;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

/**
 * The arithmetic of a rolling update, as Kubernetes' deployment controller does it: how far
 * {@code maxSurge} and {@code maxUnavailable} let the new ReplicaSet grow and the old ones shrink.
 * Pure: it reads ReplicaSets' {@code spec.replicas} and {@code status.availableReplicas} and says
 * what to scale them to.
 */
final class RollingUpdate {
    /** The resolved bounds: pods above the desired count, pods below it that may be unavailable. */
    record Fenceposts(int maxSurge, int maxUnavailable) {
    }

    private RollingUpdate() {
    }

    /**
     * An int, or a percentage of {@code total} rounded up (surge) or down (unavailable), as
     * GetScaledValueFromIntOrPercent does.
     */
    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getStrVal() == null) {
            return value.getIntVal() == null ? 0 : value.getIntVal();
        }
        String text = value.getStrVal();
        if (!text.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: " + text);
        }
        long percent = Long.parseLong(text.substring(0, text.length() - 1));
        long product = percent * total;
        return (int) (roundUp ? (product + 99) / 100 : product / 100);
    }

    /** Kubernetes' ResolveFenceposts: both zero would deadlock, so unavailable becomes 1. */
    static Fenceposts resolve(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = scaled(maxSurge, desired, true);
        int unavailable = scaled(maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Fenceposts(surge, unavailable);
    }

    static int specReplicas(ReplicaSet set) {
        return set == null || set.getSpec().getReplicas() == null ? 0 : set.getSpec().getReplicas();
    }

    static int available(ReplicaSet set) {
        return set == null || set.getStatus() == null || set.getStatus().getAvailableReplicas() == null ? 0
                : set.getStatus().getAvailableReplicas();
    }

    static int sumSpec(List<ReplicaSet> sets) {
        return sets.stream().mapToInt(RollingUpdate::specReplicas).sum();
    }

    /**
     * The new ReplicaSet's next size (NewRSNewReplicas): up to {@code desired + maxSurge} pods in
     * all ReplicaSets, never above {@code desired} in the new one.
     */
    static int newReplicaSetSize(int desired, Fenceposts fenceposts, int allSpecReplicas, int newSpecReplicas) {
        int maxTotal = desired + fenceposts.maxSurge();
        if (allSpecReplicas >= maxTotal) {
            return newSpecReplicas;
        }
        int scaleUp = Math.min(maxTotal - allSpecReplicas, desired - newSpecReplicas);
        return newSpecReplicas + Math.max(0, scaleUp);
    }

    /**
     * What the old ReplicaSets shrink to (by name; only those that change), as reconcileOldReplicaSets
     * does: first their unavailable pods (cleanupUnhealthyReplicas), then available ones while more
     * than {@code desired - maxUnavailable} stay available, oldest ReplicaSets first.
     */
    static Map<String, Integer> oldReplicaSetSizes(int desired, Fenceposts fenceposts, ReplicaSet newSet, List<ReplicaSet> oldSets) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        if (sumSpec(oldSets) == 0) {
            return sizes;
        }
        List<ReplicaSet> oldestFirst = oldSets.stream().sorted(OLDEST_FIRST).toList();
        int allPods = sumSpec(oldSets) + specReplicas(newSet);
        int minAvailable = desired - fenceposts.maxUnavailable();
        int newUnavailable = specReplicas(newSet) - available(newSet);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return sizes;
        }
        int cleaned = 0;
        for (ReplicaSet set : oldestFirst) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int spec = specReplicas(set);
            int unhealthy = spec - available(set);
            if (spec == 0 || unhealthy <= 0) {
                continue;
            }
            int down = Math.min(maxScaledDown - cleaned, unhealthy);
            sizes.put(set.getMetadata().getName(), spec - down);
            cleaned += down;
        }
        int availablePods = available(newSet) + oldSets.stream().mapToInt(RollingUpdate::available).sum();
        if (availablePods > minAvailable) {
            int toScaleDown = availablePods - minAvailable;
            int scaledDown = 0;
            for (ReplicaSet set : oldestFirst) {
                if (scaledDown >= toScaleDown) {
                    break;
                }
                int current = sizes.getOrDefault(set.getMetadata().getName(), specReplicas(set));
                if (current == 0) {
                    continue;
                }
                int down = Math.min(current, toScaleDown - scaledDown);
                sizes.put(set.getMetadata().getName(), current - down);
                scaledDown += down;
            }
        }
        return sizes;
    }

    static final Comparator<ReplicaSet> OLDEST_FIRST = Comparator
            .comparing((ReplicaSet set) -> set.getMetadata().getCreationTimestamp() == null ? "" : set.getMetadata().getCreationTimestamp())
            .thenComparing(set -> set.getMetadata().getName());
}
