package io.kubundle.controller.support;

import java.time.Duration;
import java.time.Instant;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/** Pod states as controllers count them. */
public final class Pods {
    private Pods() {
    }

    /** Not finished (Succeeded or Failed) and not being deleted: counts towards a controller's replicas. */
    public static boolean isActive(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase) && pod.getMetadata().getDeletionTimestamp() == null;
    }

    /** Its Ready condition is True. */
    public static boolean isReady(Pod pod) {
        return readyCondition(pod) != null && "True".equals(readyCondition(pod).getStatus());
    }

    /** Ready for at least {@code minReady} (available, in a Deployment's terms). */
    public static boolean isAvailable(Pod pod, Duration minReady, Instant now) {
        PodCondition ready = readyCondition(pod);
        if (ready == null || !"True".equals(ready.getStatus())) {
            return false;
        }
        if (minReady.isZero() || ready.getLastTransitionTime() == null) {
            return true;
        }
        return !Instant.parse(ready.getLastTransitionTime()).plus(minReady).isAfter(now);
    }

    private static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    }
}
