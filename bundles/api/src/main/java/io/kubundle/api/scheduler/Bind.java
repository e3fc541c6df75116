package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Binds a pod to its node, usually by creating the pod's {@code binding} subresource.
 *
 * <p>Contract: return {@link Status#skip()} to leave the pod to the next binder of the profile
 * (a binder for some pods only), success once the pod is bound, or a failure: the pod is then
 * forgotten on that node, unreserved and retried after a back-off. A binder must not bind a pod
 * twice: the API server refuses a second binding with 409 Conflict. Called on binding threads, for
 * several pods at once: it may block on I/O.
 */
@ConsumerType
public interface Bind extends SchedulerPlugin {
    Status bind(CycleState state, PodInfo pod, String nodeName);
}
