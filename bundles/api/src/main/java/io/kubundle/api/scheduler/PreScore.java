package io.kubundle.api.scheduler;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs once per pod, with the nodes that passed the filters, before they are scored.
 *
 * <p>Contract: {@code cluster} has every node (to count pods in a topology domain beyond the
 * feasible nodes). Compute what the plugin's {@link Score} needs once and keep it in the
 * {@link CycleState}. Return {@link Status#skip()} when the pod gives the plugin nothing to score:
 * its Score is then not called for this pod (every node counts 0 for it). An error fails the
 * attempt (the pod is retried after a back-off). Not called when only one node fits. Called on the
 * scheduling thread.
 */
@ConsumerType
public interface PreScore extends SchedulerPlugin {
    Status preScore(CycleState state, PodInfo pod, ClusterSnapshot cluster, List<NodeInfo> feasibleNodes);
}
