package io.kubundle.controller.replicaset.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kubundle.controller.support.Pods;

/** A ReplicaSet's status from the pods it controls, as Kubernetes' calculateStatus counts them. */
final class ReplicaSetStatuses {
    private ReplicaSetStatuses() {
    }

    static ReplicaSetStatus of(ReplicaSet set, List<Pod> active, Instant now) {
        Map<String, String> templateLabels = set.getSpec().getTemplate() == null || set.getSpec().getTemplate().getMetadata() == null
                ? null : set.getSpec().getTemplate().getMetadata().getLabels();
        Duration minReady = Duration.ofSeconds(set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds());
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod pod : active) {
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            if (templateLabels == null || labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (Pods.isReady(pod)) {
                ready++;
                if (Pods.isAvailable(pod, minReady, now)) {
                    available++;
                }
            }
        }
        ReplicaSetStatus status = new ReplicaSetStatus();
        status.setReplicas(active.size());
        status.setFullyLabeledReplicas(fullyLabeled);
        status.setReadyReplicas(ready);
        status.setAvailableReplicas(available);
        status.setObservedGeneration(set.getMetadata().getGeneration());
        return status;
    }

    /** Whether the counts and observed generation are the same (absent counts are zero). */
    static boolean same(ReplicaSetStatus current, ReplicaSetStatus next) {
        if (current == null) {
            return false;
        }
        return count(current.getReplicas()) == count(next.getReplicas())
                && count(current.getFullyLabeledReplicas()) == count(next.getFullyLabeledReplicas())
                && count(current.getReadyReplicas()) == count(next.getReadyReplicas())
                && count(current.getAvailableReplicas()) == count(next.getAvailableReplicas())
                && Objects.equals(current.getObservedGeneration(), next.getObservedGeneration());
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
