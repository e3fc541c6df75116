package io.kubundle.proxy.userspace.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One port of one Service, as the proxy serves it: {@code id} is {@code namespace/name:portName};
 * it listens on {@code clusterIp:port}, on {@code ip:port} for each of {@code externalIps}
 * ({@code spec.externalIPs}, then a LoadBalancer's {@code status.loadBalancer.ingress[].ip}) and,
 * when {@code nodePort} is not 0, on every address at {@code nodePort}. {@code affinitySeconds} is
 * the ClientIP affinity timeout, 0 without affinity. {@code internalLocal} ({@code
 * internalTrafficPolicy: Local}): the cluster IP sends only to this node's endpoints;
 * {@code externalLocal} ({@code externalTrafficPolicy: Local}): so do the external IPs and the
 * node port.
 */
record Frontend(String id, Protocol protocol, String clusterIp, int port, int nodePort, List<String> externalIps, int affinitySeconds,
        boolean internalLocal, boolean externalLocal) {
    enum Protocol {
        TCP, UDP
    }

    Frontend {
        externalIps = List.copyOf(externalIps);
    }

    /** Where this frontend listens: the cluster IP, the external IPs, and the node port on 0.0.0.0 if asked for. */
    List<Listener> listeners(boolean withNodePorts) {
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener(protocol, clusterIp, port));
        for (String ip : externalIps) {
            listeners.add(new Listener(protocol, ip, port));
        }
        if (withNodePorts && nodePort > 0) {
            listeners.add(new Listener(protocol, "0.0.0.0", nodePort));
        }
        return List.copyOf(listeners);
    }

    /** Whether this listener of this frontend sends only to this node's endpoints (by the traffic policy that applies to it). */
    boolean localOnly(Listener listener) {
        boolean internal = listener.ip().equals(clusterIp) && listener.port() == port;
        return internal ? internalLocal : externalLocal;
    }

    /** A socket the proxy binds. */
    record Listener(Protocol protocol, String ip, int port) {
        @Override
        public String toString() {
            return protocol.name().toLowerCase(java.util.Locale.ROOT) + " " + ip + ":" + port;
        }
    }
}
