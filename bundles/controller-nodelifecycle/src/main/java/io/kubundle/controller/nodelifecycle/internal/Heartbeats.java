package io.kubundle.controller.nodelifecycle.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this controller last saw each node's kubelet alive, on its own clock, as Kubernetes' node
 * lifecycle controller keeps its probe timestamps: a heartbeat is a new Lease {@code renewTime} or
 * a new {@code lastHeartbeatTime} of the Ready condition, and counts at the moment it is seen, so
 * the kubelet's clock does not matter. The first sight of a node counts as a heartbeat: a new
 * instance (after a swap) gives every node a full grace period. Thread-safe.
 */
final class Heartbeats {
    private record Seen(String leaseToken, String statusToken, Instant at) {
    }

    private final Map<String, Seen> nodes = new ConcurrentHashMap<>();

    /** A Lease of the node was seen with this {@code renewTime}. */
    void lease(String node, String renewTime, Instant now) {
        nodes.compute(node, (name, seen) -> seen == null ? new Seen(renewTime, null, now)
                : renewTime != null && !renewTime.equals(seen.leaseToken()) ? new Seen(renewTime, seen.statusToken(), now) : seen);
    }

    /** The node was seen with this Ready {@code lastHeartbeatTime}. */
    void status(String node, String heartbeatTime, Instant now) {
        nodes.compute(node, (name, seen) -> seen == null ? new Seen(null, heartbeatTime, now)
                : heartbeatTime != null && !heartbeatTime.equals(seen.statusToken()) ? new Seen(seen.leaseToken(), heartbeatTime, now)
                        : seen);
    }

    /** When the node was last seen alive; empty if never seen. */
    Optional<Instant> last(String node) {
        return Optional.ofNullable(nodes.get(node)).map(Seen::at);
    }

    void forget(String node) {
        nodes.remove(node);
    }
}
