package io.kubundle.api.scheduler;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs when no node passed the filters: the place for preemption.
 *
 * <p>Contract: {@code nodeStatuses} holds, by node name, the status that rejected each node.
 * {@code filters} runs the profile's filters, in order, as one (with this attempt's PreFilter
 * state), so a plugin can try the pod against a node with some pods taken away
 * ({@link NodeInfo#withoutPod}). Return {@link PostFilterResult#nominate} with a node when the plugin made room there (the pod is
 * retried when the cluster changes and is expected to fit then); otherwise a result whose status is
 * a rejection, whose message is appended to the pod's FailedScheduling message (kube-scheduler's
 * preemption writes {@code preemption: 0/3 nodes are available: ...}). PostFilter plugins run in
 * order until one nominates a node. Called on the scheduling thread.
 */
@ConsumerType
public interface PostFilter extends SchedulerPlugin {
    PostFilterResult postFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster, Map<String, Status> nodeStatuses,
            Filter filters);
}
