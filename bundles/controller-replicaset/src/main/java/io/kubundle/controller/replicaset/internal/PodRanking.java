package io.kubundle.controller.replicaset.internal;

import java.time.Instant;
import java.util.Comparator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kubundle.controller.support.Pods;

/**
 * The order in which a ReplicaSet gives up pods, least valuable first, as Kubernetes' ActivePods
 * sorts them: unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, ready for a shorter time before longer, more container restarts before fewer,
 * newer before older.
 */
final class PodRanking {
    static final Comparator<Pod> LEAST_VALUABLE_FIRST = Comparator.comparing(PodRanking::scheduled)
            .thenComparingInt(PodRanking::phaseRank)
            .thenComparing(Pods::isReady)
            .thenComparing(PodRanking::readySince, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(Comparator.comparingInt(PodRanking::restarts).reversed())
            .thenComparing(PodRanking::created, Comparator.nullsLast(Comparator.<Instant>reverseOrder()));

    private PodRanking() {
    }

    private static boolean scheduled(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    private static int phaseRank(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Running".equals(phase)) {
            return 2;
        }
        return "Unknown".equals(phase) ? 1 : 0;
    }

    /** When a ready pod became ready (null for pods not ready: their order is decided before). */
    private static Instant readySince(Pod pod) {
        if (!Pods.isReady(pod)) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(PodCondition::getLastTransitionTime)
                .filter(t -> t != null).map(Instant::parse).findFirst().orElse(null);
    }

    private static int restarts(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return 0;
        }
        return pod.getStatus().getContainerStatuses().stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
    }

    private static Instant created(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? null : Instant.parse(created);
    }
}
