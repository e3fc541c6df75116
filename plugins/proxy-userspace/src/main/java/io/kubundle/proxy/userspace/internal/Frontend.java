package io.kubundle.proxy.userspace.internal;

import java.util.List;

/**
 * One port of one Service, as the proxy serves it: {@code id} is {@code namespace/name:portName};
 * it listens on {@code clusterIp:port} and, when {@code nodePort} is not 0, on every address at
 * {@code nodePort}. {@code affinitySeconds} is the ClientIP affinity timeout, 0 without affinity.
 */
record Frontend(String id, Protocol protocol, String clusterIp, int port, int nodePort, int affinitySeconds) {
    enum Protocol {
        TCP, UDP
    }

    /** Where this frontend listens: the cluster IP, and the node port on 0.0.0.0 if asked for. */
    List<Listener> listeners(boolean withNodePorts) {
        Listener cluster = new Listener(protocol, clusterIp, port);
        if (withNodePorts && nodePort > 0) {
            return List.of(cluster, new Listener(protocol, "0.0.0.0", nodePort));
        }
        return List.of(cluster);
    }

    /** A socket the proxy binds. */
    record Listener(Protocol protocol, String ip, int port) {
        @Override
        public String toString() {
            return protocol.name().toLowerCase(java.util.Locale.ROOT) + " " + ip + ":" + port;
        }
    }
}
