package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs once per pod and scheduling attempt, before any node is filtered.
 *
 * <p>Contract: compute what the plugin's {@link Filter} needs about the pod (and the cluster)
 * once, and keep it in the {@link CycleState}. Return {@link PreFilterResult#skip()} when the pod
 * gives the plugin nothing to check (no affinity, no constraints, ...): its Filter is then not
 * called for this pod. {@link PreFilterResult#only} narrows the nodes to consider (several plugins
 * narrowing: the intersection). A rejection ({@link Status#unschedulable} or
 * {@link Status#unresolvable}) ends the attempt: the pod is unschedulable on every node, and the
 * status's reasons are the message. Called on the scheduling thread.
 */
@ConsumerType
public interface PreFilter extends SchedulerPlugin {
    PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster);
}
