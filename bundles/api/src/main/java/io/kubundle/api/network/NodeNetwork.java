package io.kubundle.api.network;

/**
 * The node's share of the cluster network.
 *
 * @param nodeName the node's name
 * @param podCidr the node's pod CIDR ({@code 10.244.3.0/24})
 * @param clusterCidr the whole cluster's pod CIDR ({@code 10.244.0.0/16}), for routes and
 *        masquerading; may be {@code null}
 */
public record NodeNetwork(String nodeName, String podCidr, String clusterCidr) { }
