package io.kubundle.proxy.support;

/**
 * One backend of a service port, from an EndpointSlice.
 *
 * @param ip the IPv4 address
 * @param port the target port
 * @param ready {@code conditions.ready} (absent counts as ready)
 * @param serving {@code conditions.serving} (absent: as ready)
 * @param terminating {@code conditions.terminating}
 * @param local whether the endpoint runs on this proxy's node
 */
public record Endpoint(String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local) {
    /** {@code ip:port}, as kube-proxy names an endpoint. */
    public String address() {
        return ip + ":" + port;
    }
}
