package io.kubundle.proxy.iptables.internal;

import java.util.List;
import java.util.Locale;

/**
 * One port of one Service, as the proxy needs it: what traffic it catches and how it is spread.
 *
 * @param namespace the Service's namespace
 * @param name the Service's name
 * @param portName the port's name, empty for a single unnamed port
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
 * @param clusterIp the IPv4 cluster IP
 * @param port the service port
 * @param nodePort the node port, 0 for none
 * @param externalIps {@code spec.externalIPs} and {@code status.loadBalancer.ingress[].ip}: caught on arrival
 * @param affinitySeconds {@code sessionAffinity: ClientIP}'s timeout, 0 without affinity
 * @param externalLocal {@code externalTrafficPolicy: Local}: external traffic only to this node's endpoints
 */
record ServicePort(String namespace, String name, String portName, String protocol, String clusterIp, int port, int nodePort,
        List<String> externalIps, int affinitySeconds, boolean externalLocal) {

    ServicePort {
        externalIps = List.copyOf(externalIps);
    }

    /** kube-proxy's {@code ServicePortName.String()}: {@code ns/name:port}, or {@code ns/name} for an unnamed port. */
    String portNameString() {
        return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
    }

    /** The protocol as iptables spells it. */
    String iptablesProtocol() {
        return protocol.toLowerCase(Locale.ROOT);
    }

    boolean hasExternal() {
        return nodePort > 0 || !externalIps.isEmpty();
    }
}
