package io.kubundle.api.scheduler;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Ranks the nodes that passed the filters.
 *
 * <p>Contract: {@link #score} rates one node for the pod; after every node is scored,
 * {@link #normalize} may rewrite the scores (in place) so that they lie in
 * [{@link #MIN_SCORE}, {@link #MAX_SCORE}]; scores outside that range after normalize fail the
 * attempt. The scheduler multiplies each plugin's scores by the plugin's weight in the profile,
 * adds them up, and picks the node with the highest total (ties at random). Pure and fast: called
 * once per feasible node for every pod on the scheduling thread. A plugin whose {@link PreScore}
 * returned skip is not called.
 */
@ConsumerType
public interface Score extends SchedulerPlugin {
    long MIN_SCORE = 0;
    long MAX_SCORE = 100;

    long score(CycleState state, PodInfo pod, NodeInfo node);

    /**
     * Brings the raw scores into [0, 100]; {@code scores[i]} belongs to {@code nodes.get(i)}. The
     * default leaves them as they are (for plugins whose scores are already in range).
     */
    default void normalize(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
    }

    /**
     * Kubernetes' default normalisation: scales the scores so the highest becomes {@link #MAX_SCORE}
     * (all zero stay zero); {@code reverse} then turns each s into {@code MAX_SCORE - s}, for plugins
     * whose raw score counts something bad.
     */
    static void defaultNormalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long score : scores) {
            max = Math.max(max, score);
        }
        for (int i = 0; i < scores.length; i++) {
            long scaled = max == 0 ? 0 : scores[i] * MAX_SCORE / max;
            scores[i] = reverse ? MAX_SCORE - scaled : scaled;
        }
    }
}
