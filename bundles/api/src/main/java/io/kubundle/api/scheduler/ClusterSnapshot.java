package io.kubundle.api.scheduler;

import java.util.List;

/**
 * The cluster as one scheduling attempt sees it: every schedulable-or-not node with its pods
 * (bound and assumed), fixed for the attempt. Immutable; cheap to ask.
 */
public interface ClusterSnapshot {
    /** Every node, in the scheduler's order. */
    List<NodeInfo> nodes();

    /** The node of that name, or null. */
    NodeInfo node(String name);

    /** The nodes that run at least one pod with (required or preferred) pod affinity or anti-affinity. */
    List<NodeInfo> nodesWithAffinityPods();

    /** The nodes that run at least one pod with required pod anti-affinity. */
    List<NodeInfo> nodesWithRequiredAntiAffinityPods();
}
