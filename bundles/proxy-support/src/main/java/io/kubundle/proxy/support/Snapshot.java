package io.kubundle.proxy.support;

import java.util.List;
import java.util.Map;

/**
 * What a proxy syncs to: service ports by {@link ServiceModel#key}, their endpoints under the
 * same keys, and the pod CIDR of this node (from its Node; empty while unknown).
 */
public record Snapshot(Map<String, ServicePort> ports, Map<String, List<Endpoint>> endpoints, String nodePodCidr) {
}
