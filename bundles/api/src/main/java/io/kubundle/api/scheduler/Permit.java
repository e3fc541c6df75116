package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The last word before a pod is bound: allow, reject, or make it wait (gang scheduling, quotas).
 *
 * <p>Contract: return {@link Status#success()} to allow, a rejection to send the pod back to the
 * queue (after unreserve), or {@link Status#waitFor} with a future decision and a time-out: the
 * binding cycle (not the scheduling thread) waits for every waiting plugin, and a decision that
 * is not a success, or no decision in time, rejects the pod. Called on the scheduling thread;
 * must not block.
 */
@ConsumerType
public interface Permit extends SchedulerPlugin {
    Status permit(CycleState state, PodInfo pod, String nodeName);
}
