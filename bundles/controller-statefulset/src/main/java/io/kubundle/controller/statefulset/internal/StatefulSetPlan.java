package io.kubundle.controller.statefulset.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The next steps of a StatefulSet, worked out from its pods alone (no I/O), as Kubernetes'
 * StatefulSet control does it:
 * <ol>
 * <li>every ordinal below {@code replicas} gets a pod; a failed one is deleted to be made again.
 * With OrderedReady management, it goes one ordinal at a time, each Running and Ready before the
 * next; with Parallel, all at once;</li>
 * <li>pods at ordinals at or above {@code replicas} are deleted from the highest down (one at a
 * time, once all others are available, for OrderedReady);</li>
 * <li>RollingUpdate: the pod at the highest ordinal not at the update revision, at or above the
 * partition, is deleted (to come back at the new revision), one at a time, waiting for each to be
 * Running and Ready again. OnDelete leaves that to the user.</li>
 * </ol>
 */
final class StatefulSetPlan {
    /**
     * What the plan knows of a pod.
     *
     * @param available running and ready for the set's {@code minReadySeconds}: what OrderedReady waits
     *        for before it moves on, as Kubernetes' {@code isRunningAndAvailable}
     */
    record PodState(int ordinal, String revision, boolean terminating, boolean runningAndReady, boolean available,
            boolean finished) {
        /** A pod of a set without {@code minReadySeconds}: available as soon as it is ready. */
        PodState(int ordinal, String revision, boolean terminating, boolean runningAndReady, boolean finished) {
            this(ordinal, revision, terminating, runningAndReady, runningAndReady, finished);
        }
    }

    sealed interface Action permits Create, Delete {
    }

    /** Create the pod at this ordinal, from this revision. */
    record Create(int ordinal, String revision) implements Action {
    }

    record Delete(int ordinal) implements Action {
    }

    /**
     * @param partition the RollingUpdate partition (0 if none), or null for OnDelete
     * @param parallel Parallel pod management (else OrderedReady)
     */
    record Spec(int replicas, Integer partition, boolean parallel, String currentRevision, String updateRevision) {
        /** The revision a new pod at this ordinal is made from. */
        String revisionFor(int ordinal) {
            return partition != null && ordinal < partition ? currentRevision : updateRevision;
        }
    }

    private StatefulSetPlan() {
    }

    static List<Action> next(Spec spec, Map<Integer, PodState> pods) {
        List<Action> actions = new ArrayList<>();
        boolean ordered = !spec.parallel();
        for (int ordinal = 0; ordinal < spec.replicas(); ordinal++) {
            PodState pod = pods.get(ordinal);
            if (pod == null) {
                actions.add(new Create(ordinal, spec.revisionFor(ordinal)));
                if (ordered) {
                    return actions;
                }
                continue;
            }
            if (pod.finished() && !pod.terminating()) {
                actions.add(new Delete(ordinal));
                if (ordered) {
                    return actions;
                }
                continue;
            }
            if (ordered && (pod.terminating() || !pod.available())) {
                return actions;
            }
        }
        NavigableMap<Integer, PodState> condemned = new TreeMap<>(pods).tailMap(spec.replicas(), true);
        for (PodState pod : condemned.descendingMap().values()) {
            if (pod.terminating()) {
                if (ordered) {
                    return actions;
                }
                continue;
            }
            actions.add(new Delete(pod.ordinal()));
            if (ordered) {
                return actions;
            }
        }
        if (spec.partition() == null || !actions.isEmpty()) {
            return actions;
        }
        for (int ordinal = spec.replicas() - 1; ordinal >= spec.partition(); ordinal--) {
            PodState pod = pods.get(ordinal);
            if (pod == null || pod.terminating()) {
                return actions;
            }
            if (!spec.updateRevision().equals(pod.revision())) {
                actions.add(new Delete(ordinal));
                return actions;
            }
            if (!pod.runningAndReady()) {
                return actions;
            }
        }
        return actions;
    }
}
