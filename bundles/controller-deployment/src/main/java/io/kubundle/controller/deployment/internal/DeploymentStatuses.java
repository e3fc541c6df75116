package io.kubundle.controller.deployment.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

/**
 * A Deployment's status and its Available and Progressing conditions, as Kubernetes computes them
 * (calculateStatus, syncRolloutStatus): the counts kubectl's {@code rollout status} reads, and the
 * progress deadline. Pure.
 */
final class DeploymentStatuses {
    static final String AVAILABLE = "Available";
    static final String PROGRESSING = "Progressing";
    static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    static final String RS_UPDATED = "ReplicaSetUpdated";
    static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    static final String TIMED_OUT = "ProgressDeadlineExceeded";
    static final String PAUSED = "DeploymentPaused";
    static final String RESUMED = "DeploymentResumed";

    private DeploymentStatuses() {
    }

    static int desired(Deployment deployment) {
        return deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    }

    /** The pods the deployment may have unavailable: zero for Recreate or no replicas. */
    static int maxUnavailable(Deployment deployment) {
        var strategy = deployment.getSpec().getStrategy();
        if (strategy == null || "Recreate".equals(strategy.getType()) || desired(deployment) == 0) {
            return 0;
        }
        var rolling = strategy.getRollingUpdate();
        RollingUpdate.Fenceposts fenceposts = RollingUpdate.resolve(rolling == null ? null : rolling.getMaxSurge(),
                rolling == null ? null : rolling.getMaxUnavailable(), desired(deployment));
        return Math.min(fenceposts.maxUnavailable(), desired(deployment));
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }

    /** The counts from the ReplicaSets, the Available condition set, the other conditions kept. */
    static DeploymentStatus calculate(Deployment deployment, List<ReplicaSet> all, ReplicaSet newSet, Instant now) {
        int available = all.stream().mapToInt(set -> set.getStatus() == null ? 0 : count(set.getStatus().getAvailableReplicas())).sum();
        int total = RollingUpdate.sumSpec(all);
        DeploymentStatus status = new DeploymentStatus();
        status.setObservedGeneration(deployment.getMetadata().getGeneration());
        status.setReplicas(all.stream().mapToInt(set -> set.getStatus() == null ? 0 : count(set.getStatus().getReplicas())).sum());
        status.setUpdatedReplicas(newSet == null || newSet.getStatus() == null ? 0 : count(newSet.getStatus().getReplicas()));
        status.setReadyReplicas(all.stream().mapToInt(set -> set.getStatus() == null ? 0 : count(set.getStatus().getReadyReplicas())).sum());
        status.setAvailableReplicas(available);
        status.setUnavailableReplicas(Math.max(0, total - available));
        DeploymentStatus old = deployment.getStatus();
        status.setCollisionCount(old == null ? null : old.getCollisionCount());
        status.setConditions(old == null || old.getConditions() == null ? new ArrayList<>() : copy(old.getConditions()));
        if (available >= desired(deployment) - maxUnavailable(deployment)) {
            set(status, condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now));
        } else {
            set(status, condition(AVAILABLE, "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
        }
        return status;
    }

    private static List<DeploymentCondition> copy(List<DeploymentCondition> conditions) {
        List<DeploymentCondition> copies = new ArrayList<>();
        for (DeploymentCondition c : conditions) {
            copies.add(condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage(), c.getLastUpdateTime(), c.getLastTransitionTime()));
        }
        return copies;
    }

    static DeploymentCondition condition(String type, String status, String reason, String message, Instant now) {
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return condition(type, status, reason, message, time, time);
    }

    private static DeploymentCondition condition(String type, String status, String reason, String message, String updated,
            String transitioned) {
        DeploymentCondition condition = new DeploymentCondition();
        condition.setType(type);
        condition.setStatus(status);
        condition.setReason(reason);
        condition.setMessage(message);
        condition.setLastUpdateTime(updated);
        condition.setLastTransitionTime(transitioned);
        return condition;
    }

    static DeploymentCondition get(DeploymentStatus status, String type) {
        return status == null || status.getConditions() == null ? null
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /** SetDeploymentCondition: no change for the same status and reason; the transition time kept for the same status. */
    static void set(DeploymentStatus status, DeploymentCondition condition) {
        DeploymentCondition current = get(status, condition.getType());
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())
                && Objects.equals(current.getReason(), condition.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())) {
            condition.setLastTransitionTime(current.getLastTransitionTime());
        }
        status.getConditions().removeIf(c -> condition.getType().equals(c.getType()));
        status.getConditions().add(condition);
    }

    static boolean hasProgressDeadline(Deployment deployment) {
        Integer deadline = deployment.getSpec().getProgressDeadlineSeconds();
        return deadline != null && deadline != Integer.MAX_VALUE;
    }

    /** DeploymentComplete: every replica updated and available, and the latest generation observed. */
    static boolean complete(Deployment deployment, DeploymentStatus status) {
        int desired = desired(deployment);
        return count(status.getUpdatedReplicas()) == desired && count(status.getReplicas()) == desired
                && count(status.getAvailableReplicas()) == desired && status.getObservedGeneration() != null
                && status.getObservedGeneration() >= deployment.getMetadata().getGeneration();
    }

    /** DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than the last status said. */
    static boolean progressing(Deployment deployment, DeploymentStatus next) {
        DeploymentStatus old = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int oldOld = count(old.getReplicas()) - count(old.getUpdatedReplicas());
        int newOld = count(next.getReplicas()) - count(next.getUpdatedReplicas());
        return count(next.getUpdatedReplicas()) > count(old.getUpdatedReplicas()) || newOld < oldOld
                || count(next.getReadyReplicas()) > count(old.getReadyReplicas())
                || count(next.getAvailableReplicas()) > count(old.getAvailableReplicas());
    }

    /** DeploymentTimedOut: no progress recorded for progressDeadlineSeconds. */
    static boolean timedOut(Deployment deployment, DeploymentStatus next, Instant now) {
        if (!hasProgressDeadline(deployment)) {
            return false;
        }
        DeploymentCondition condition = get(next, PROGRESSING);
        if (condition == null || NEW_RS_AVAILABLE.equals(condition.getReason())) {
            return false;
        }
        if (TIMED_OUT.equals(condition.getReason())) {
            return true;
        }
        Instant from = Instant.parse(condition.getLastUpdateTime());
        return now.isAfter(from.plusSeconds(deployment.getSpec().getProgressDeadlineSeconds()));
    }

    /** The Progressing condition for the rollout's state (syncRolloutStatus), set on {@code next}. */
    static void progress(Deployment deployment, DeploymentStatus next, ReplicaSet newSet, Instant now) {
        if (!hasProgressDeadline(deployment)) {
            next.getConditions().removeIf(c -> PROGRESSING.equals(c.getType()));
            return;
        }
        DeploymentCondition current = get(next, PROGRESSING);
        boolean alreadyComplete = Objects.equals(next.getReplicas(), next.getUpdatedReplicas()) && current != null
                && NEW_RS_AVAILABLE.equals(current.getReason());
        if (alreadyComplete) {
            return;
        }
        String name = newSet == null ? "" : newSet.getMetadata().getName();
        if (complete(deployment, next)) {
            set(next, condition(PROGRESSING, "True", NEW_RS_AVAILABLE, "ReplicaSet \"" + name + "\" has successfully progressed.", now));
        } else if (progressing(deployment, next)) {
            DeploymentCondition condition = condition(PROGRESSING, "True", RS_UPDATED, "ReplicaSet \"" + name + "\" is progressing.", now);
            if (current != null && "True".equals(current.getStatus())) {
                condition.setLastTransitionTime(current.getLastTransitionTime());
            }
            next.getConditions().removeIf(c -> PROGRESSING.equals(c.getType()));
            next.getConditions().add(condition);
        } else if (timedOut(deployment, next, now)) {
            set(next, condition(PROGRESSING, "False", TIMED_OUT, "ReplicaSet \"" + name + "\" has timed out progressing.", now));
        }
    }

    /** When to look again so that a stuck rollout is reported once its deadline passes (null: no need). */
    static java.time.Duration recheckAfter(Deployment deployment, DeploymentStatus status, Instant now) {
        DeploymentCondition condition = get(status, PROGRESSING);
        if (!hasProgressDeadline(deployment) || condition == null || complete(deployment, status)
                || NEW_RS_AVAILABLE.equals(condition.getReason()) || TIMED_OUT.equals(condition.getReason())) {
            return null;
        }
        Instant due = Instant.parse(condition.getLastUpdateTime()).plusSeconds(deployment.getSpec().getProgressDeadlineSeconds());
        java.time.Duration after = java.time.Duration.between(now, due);
        return after.isNegative() ? java.time.Duration.ofSeconds(1) : after.plusSeconds(1);
    }

    /** Equal counts, generation, collision count and conditions. */
    static boolean same(DeploymentStatus a, DeploymentStatus b) {
        return a != null && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && count(a.getReplicas()) == count(b.getReplicas()) && count(a.getUpdatedReplicas()) == count(b.getUpdatedReplicas())
                && count(a.getReadyReplicas()) == count(b.getReadyReplicas())
                && count(a.getAvailableReplicas()) == count(b.getAvailableReplicas())
                && count(a.getUnavailableReplicas()) == count(b.getUnavailableReplicas())
                && Objects.equals(a.getCollisionCount(), b.getCollisionCount())
                && Objects.equals(a.getConditions() == null ? List.of() : a.getConditions(), b.getConditions());
    }
}
