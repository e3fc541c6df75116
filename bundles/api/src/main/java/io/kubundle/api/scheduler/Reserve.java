package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a pod is assumed on a node, before it is bound: the place to set aside something the
 * plugin tracks itself (a volume, a device, a quota).
 *
 * <p>Contract: {@link #reserve} returns success, or a failure that ends the attempt: then, and
 * whenever a later step (permit, bind) fails, {@link #unreserve} is called on every Reserve plugin
 * of the profile, in reverse order, including the one that failed; it must undo what reserve did
 * and be idempotent (it may be called for a pod the plugin never reserved). Reserve runs on the
 * scheduling thread; unreserve on the scheduling thread or a binding thread.
 */
@ConsumerType
public interface Reserve extends SchedulerPlugin {
    Status reserve(CycleState state, PodInfo pod, String nodeName);

    void unreserve(CycleState state, PodInfo pod, String nodeName);
}
