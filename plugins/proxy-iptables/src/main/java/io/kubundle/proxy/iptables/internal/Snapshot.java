package io.kubundle.proxy.iptables.internal;

import java.util.List;
import java.util.Map;

/**
 * What the proxy syncs to: service ports by {@link ServiceModel#key}, their endpoints under the
 * same keys, and the pod CIDR of this node (from its Node; empty while unknown).
 */
record Snapshot(Map<String, ServicePort> ports, Map<String, List<Endpoint>> endpoints, String nodePodCidr) {
}
