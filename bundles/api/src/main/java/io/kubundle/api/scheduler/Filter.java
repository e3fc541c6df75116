package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a pod can run on a node.
 *
 * <p>Contract: return {@link Status#success()} if it can; {@link Status#unschedulable} with a
 * reason when it cannot now but could if pods were removed from the node (resources, anti-affinity:
 * preemption may help); {@link Status#unresolvable} when removing pods would not help (taints, node
 * selectors, node name). Reasons are counted across nodes into kube-scheduler's message
 * ({@code 0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {k: v}.}),
 * so a reason must not name the node; use Kubernetes' wording where there is one. Pure: no side
 * effects, no calls out; called for many nodes per pod on the scheduling thread, and again by
 * preemption against nodes with pods taken away. Filters run in the profile's order and stop at
 * the first rejection, so put cheap filters first.
 */
@ConsumerType
public interface Filter extends SchedulerPlugin {
    Status filter(CycleState state, PodInfo pod, NodeInfo node);
}
